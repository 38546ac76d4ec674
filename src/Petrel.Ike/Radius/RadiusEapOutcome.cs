using System.Net;

namespace Petrel.Ike.Radius;

/// <summary>What the RADIUS server answered to one EAP message passed through.</summary>
public enum RadiusEapStatus
{
    /// <summary>Access-Challenge: <see cref="RadiusEapOutcome.Eap"/> goes to the client.</summary>
    Challenge,
    /// <summary>Access-Accept: EAP-Success, the MSK from the MPPE keys, attributes for the session.</summary>
    Accept,
    /// <summary>Access-Reject (with EAP-Failure).</summary>
    Reject,
    /// <summary>No server answered, or the answer made no sense (no EAP-Message in a challenge).</summary>
    Failed,
}

/// <summary>
/// One answer of an EAP conversation over RADIUS. On Accept: <see cref="Msk"/> (MS-MPPE-Recv-Key then
/// MS-MPPE-Send-Key, or null when the server sent none), <see cref="FramedIp"/> (Framed-IP-Address, which takes
/// precedence over a pool), <see cref="Classes"/> (echoed in accounting, RFC 2865 §5.25) and the interim interval.
/// </summary>
public sealed record RadiusEapOutcome(RadiusEapStatus Status, byte[]? Eap, string Reason)
{
    public byte[]? Msk { get; init; }
    public IPAddress? FramedIp { get; init; }

    /// <summary>IPv6 virtual IP: Framed-IPv6-Address (RFC 6911 §3.1), else a /128 Framed-IPv6-Prefix (RFC 3162 §2.3).</summary>
    public IPAddress? FramedIpv6 { get; init; }

    /// <summary>Which attribute <see cref="FramedIpv6"/> came from, for the log.</summary>
    public string FramedIpv6Source { get; init; } = "Framed-IPv6-Address";

    /// <summary>The address the server assigned for this family, or null (then the pools serve it).</summary>
    public IPAddress? FramedFor(System.Net.Sockets.AddressFamily family) =>
        family == System.Net.Sockets.AddressFamily.InterNetwork ? FramedIp : family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? FramedIpv6 : null;

    /// <summary>DNS servers the RADIUS server names (MS-Primary/Secondary-DNS-Server); they go to the client with the address.</summary>
    public IReadOnlyList<IPAddress> Dns { get; init; } = [];
    public IReadOnlyList<byte[]> Classes { get; init; } = [];
    public TimeSpan? InterimInterval { get; init; }
    public TimeSpan? SessionTimeout { get; init; }
    public RadiusServer? Server { get; init; }
}
