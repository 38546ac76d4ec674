using System.Net;

namespace Petrel.Ike.Radius;

/// <summary>
/// One client's accounting session (RFC 2866): Acct-Session-Id, the user, its virtual IP, the Class
/// attributes of its Access-Accept (echoed, RFC 2865 §5.25) and when it started.
/// </summary>
public sealed record AccountingSession(string SessionId, string UserName, RadiusSessionContext Context, DateTime Started)
{
    public IPAddress? FramedIp { get; init; }
    public IReadOnlyList<byte[]> Classes { get; init; } = [];
    public RadiusServer? Server { get; init; }
}

/// <summary>Traffic of a session so far: the sum over its CHILD_SAs (in = from the client).</summary>
public readonly record struct AccountingCounters(ulong BytesIn, ulong BytesOut, ulong PacketsIn, ulong PacketsOut)
{
    public static AccountingCounters operator +(AccountingCounters a, AccountingCounters b) =>
        new(a.BytesIn + b.BytesIn, a.BytesOut + b.BytesOut, a.PacketsIn + b.PacketsIn, a.PacketsOut + b.PacketsOut);
}
