using Petrel.Ike.Sa;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// IKE messages received, and the activity counters per connection (vici get-counters --name / --all, the
/// dashboard, ipsec_ike_connection_messages_total). Keyed by connection name: names come from the
/// configuration, never from a peer, so the table is bounded by the config. A connection's counters stay
/// after a reload removed it, as charon's do, until the daemon restarts.
/// </summary>
public sealed partial class IkeEngine
{
    private readonly long[] _requestsReceived = new long[256], _responsesReceived = new long[256];
    private readonly Dictionary<string, PerConnection> _perConnection = new(StringComparer.Ordinal);

    private sealed class PerConnection
    {
        public readonly long[] RequestsSent = new long[256], ResponsesSent = new long[256];
        public readonly long[] RequestsReceived = new long[256], ResponsesReceived = new long[256];
        public long Retransmits, IkeRekeys, ChildRekeys;
    }

    /// <summary>The SA's connection's counters; null while it has none (a responder's IKE SA before IKE_AUTH chose one).</summary>
    private PerConnection? ConnectionCounters(IkeSa sa)
    {
        if (string.IsNullOrEmpty(sa.Name)) return null;
        if (!_perConnection.TryGetValue(sa.Name, out var c))
            _perConnection[sa.Name] = c = new PerConnection();
        return c;
    }

    /// <summary>An authenticated message (or an IKE_SA_INIT) arrived for <paramref name="sa"/> (null: an IKE_SA_INIT request before its SA exists).</summary>
    internal void CountReceived(IkeSa? sa, ExchangeType exchange, bool response)
    {
        (response ? _responsesReceived : _requestsReceived)[(byte)exchange]++;
        if (sa is not null && ConnectionCounters(sa) is { } c)
            (response ? c.ResponsesReceived : c.RequestsReceived)[(byte)exchange]++;
    }

    private static Dictionary<string, long> ByExchange(long[] counts)
    {
        var d = new Dictionary<string, long>();
        for (int i = 0; i < 256; i++)
            if (counts[i] > 0) d[MessageSummary.ExchangeName((ExchangeType)i)] = counts[i];
        return d;
    }

    private Dictionary<string, ConnectionActivity> ConnectionActivities()
    {
        var d = new Dictionary<string, ConnectionActivity>(StringComparer.Ordinal);
        foreach (var (name, c) in _perConnection)
            d[name] = new ConnectionActivity(ByExchange(c.RequestsSent), ByExchange(c.ResponsesSent), ByExchange(c.RequestsReceived), ByExchange(c.ResponsesReceived),
                c.Retransmits, c.IkeRekeys, c.ChildRekeys);
        return d;
    }
}
