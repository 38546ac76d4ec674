namespace Petrel.Ike.Radius;

/// <summary>
/// RFC 2866 Accounting-Request records: Start when a client's session begins, Interim-Update while it runs,
/// Stop when it ends, with Acct-Input/Output-Octets (and -Gigawords above 4 GiB), -Packets and
/// Acct-Session-Time. Sent like any request (retransmits, failover); a record no server took is logged by the caller.
/// </summary>
public sealed class RadiusAccounting(RadiusClient client)
{
    public const uint StatusStart = 1, StatusStop = 2, StatusInterimUpdate = 3;

    /// <summary>Acct-Terminate-Cause values (RFC 2866 §5.10).</summary>
    public const uint CauseUserRequest = 1, CauseLostService = 3, CauseIdleTimeout = 4, CauseSessionTimeout = 5,
        CauseAdminReset = 6, CauseNasRequest = 10;

    public Task<RadiusReply> StartAsync(AccountingSession session, DateTime now, CancellationToken ct = default) =>
        SendAsync(session, StatusStart, null, now, null, ct);

    public Task<RadiusReply> InterimAsync(AccountingSession session, AccountingCounters counters, DateTime now, CancellationToken ct = default) =>
        SendAsync(session, StatusInterimUpdate, counters, now, null, ct);

    public Task<RadiusReply> StopAsync(AccountingSession session, AccountingCounters counters, DateTime now, uint cause, CancellationToken ct = default) =>
        SendAsync(session, StatusStop, counters, now, cause, ct);

    /// <summary>The attributes of one record (exposed for tests).</summary>
    public static List<RadiusAttribute> Record(AccountingSession session, uint status, AccountingCounters? counters, DateTime now, uint? cause)
    {
        var a = new List<RadiusAttribute>
        {
            RadiusAttribute.Integer(RadiusAttributeType.AcctStatusType, status),
            RadiusAttribute.Text(RadiusAttributeType.AcctSessionId, session.SessionId),
            RadiusAttribute.Text(RadiusAttributeType.UserName, session.UserName),
        };
        a.AddRange(session.Context.AccessAttributes());
        if (session.FramedIp is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetwork } ip)
            a.Add(new RadiusAttribute(RadiusAttributeType.FramedIpAddress, ip.GetAddressBytes()));
        foreach (var c in session.Classes)
            a.Add(new RadiusAttribute(RadiusAttributeType.Class, c));
        a.Add(RadiusAttribute.Integer(RadiusAttributeType.EventTimestamp, (uint)Math.Max(0, new DateTimeOffset(now).ToUnixTimeSeconds())));
        if (counters is { } n)
        {
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctSessionTime, (uint)Math.Max(0, (now - session.Started).TotalSeconds)));
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctInputOctets, (uint)n.BytesIn));
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctOutputOctets, (uint)n.BytesOut));
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctInputGigawords, (uint)(n.BytesIn >> 32)));
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctOutputGigawords, (uint)(n.BytesOut >> 32)));
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctInputPackets, (uint)Math.Min(n.PacketsIn, uint.MaxValue)));
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctOutputPackets, (uint)Math.Min(n.PacketsOut, uint.MaxValue)));
        }
        if (cause is { } c2)
            a.Add(RadiusAttribute.Integer(RadiusAttributeType.AcctTerminateCause, c2));
        return a;
    }

    private Task<RadiusReply> SendAsync(AccountingSession session, uint status, AccountingCounters? counters, DateTime now, uint? cause, CancellationToken ct) =>
        client.ExchangeAsync(RadiusCode.AccountingRequest, Record(session, status, counters, now, cause), null, ct);
}
