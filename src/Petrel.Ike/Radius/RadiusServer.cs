using System.Net;

namespace Petrel.Ike.Radius;

/// <summary>
/// One RADIUS server (strongSwan's eap-radius.servers.NAME: address, secret, auth_port/port, acct_port,
/// preference, nas_identifier). The secret is never logged.
/// </summary>
public sealed record RadiusServer
{
    public required string Name { get; init; }
    public required IPAddress Address { get; init; }
    public required byte[] Secret { get; init; }
    public int AuthPort { get; init; } = 1812;
    public int AcctPort { get; init; } = 1813;

    /// <summary>Higher is tried first (strongSwan's preference, default 0).</summary>
    public int Preference { get; init; }

    /// <summary>NAS-Identifier sent to this server; null for the settings' one.</summary>
    public string? NasIdentifier { get; init; }

    /// <summary>Equal in every setting, the secret compared by value.</summary>
    public bool SameAs(RadiusServer other) =>
        Name == other.Name && Address.Equals(other.Address) && Secret.AsSpan().SequenceEqual(other.Secret) && AuthPort == other.AuthPort
        && AcctPort == other.AcctPort && Preference == other.Preference && NasIdentifier == other.NasIdentifier;

    public override string ToString() => $"RADIUS server '{Name}' ({Address})";
}
