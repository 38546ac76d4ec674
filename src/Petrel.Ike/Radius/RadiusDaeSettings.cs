using System.Net;

namespace Petrel.Ike.Radius;

/// <summary>
/// petrel { eap-radius { dae { enable = yes, listen, port, secret } } }: strongSwan's eap-radius Dynamic Authorization
/// Extension (RFC 5176). Null in <see cref="RadiusSettings.Dae"/>: off (strongSwan's default). The secret is never logged.
/// </summary>
public sealed record RadiusDaeSettings
{
    /// <summary>Where Disconnect- and CoA-Requests arrive (strongSwan: 0.0.0.0 port 3799).</summary>
    public required IPEndPoint Listen { get; init; }

    public required byte[] Secret { get; init; }

    public bool SameAs(RadiusDaeSettings? other) =>
        other is not null && Listen.Equals(other.Listen) && Secret.AsSpan().SequenceEqual(other.Secret);

    public override string ToString() => $"RADIUS DAE on {Listen}";
}
