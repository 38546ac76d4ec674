using Petrel.Daemon;
using Petrel.Daemon.Events;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;
using Petrel.Ike.Engine;
using Prometheus;

namespace Petrel.Dashboard;

/// <summary>
/// /metrics in Prometheus's text format (prometheus-net, a registry of its own so nothing else leaks in).
/// Names follow the IPsec exporters' style: ipsec_ike_sa_state, ipsec_child_sa_bytes_in … Every scrape
/// takes one snapshot on the engine thread (ListSas and the activity counters); per-SA series of SAs
/// that are gone are removed, so the series count follows the SAs, not their history.
/// </summary>
public sealed class PetrelMetrics
{
    private static readonly string[] IkeStates = ["CREATED", "CONNECTING", "ESTABLISHED", "PASSIVE", "REKEYING", "REKEYED", "DELETING", "DESTROYING"];
    private static readonly string[] ChildStates = ["CREATED", "ROUTED", "INSTALLING", "INSTALLED", "UPDATING", "REKEYING", "REKEYED", "RETRYING", "DELETING", "DELETED", "DESTROYING"];
    private static readonly string[] SaLabels = ["connection", "unique_id", "local_host", "remote_host", "state"];
    private static readonly string[] ChildLabels = ["connection", "child", "unique_id", "ike_sa_id", "spi_in", "spi_out"];

    private readonly EngineLoop _loop;
    private readonly Petrel.DataPlane.Kernel.IIpsecKernel? _kernel;
    private readonly Gauge _ikeSas, _childSas, _ikeSaState, _childSaState, _halfOpen;
    private readonly Counter _bytesIn, _bytesOut, _packetsIn, _packetsOut;
    private readonly Counter _messages, _connMessages, _connRekeys, _connRetransmits, _connBytes, _connPackets;
    /// <summary>Per CHILD_SA (unique id): its connection and the byte/packet counts already added to the connection's totals.</summary>
    private Dictionary<uint, (string Connection, ulong BytesIn, ulong BytesOut, ulong PacketsIn, ulong PacketsOut)> _childSeen = [];
    private readonly Counter _exchanges, _failures, _retransmits, _rekeys, _ikeDropped, _ikeIntegrity, _shed, _dataPlaneDrops, _dataPlanePackets;
    private HashSet<string[]> _ikeSeries = new(LabelsComparer.Instance), _childStateSeries = new(LabelsComparer.Instance), _childSeries = new(LabelsComparer.Instance);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public PetrelMetrics(EngineLoop loop, Petrel.DataPlane.Kernel.IIpsecKernel? kernel)
    {
        _loop = loop;
        _kernel = kernel;
        var f = Metrics.WithCustomRegistry(Registry);
        _ikeSas = f.CreateGauge("ipsec_ike_sas", "IKE SAs by state.", "state");
        _childSas = f.CreateGauge("ipsec_child_sas", "CHILD SAs by state.", "state");
        _ikeSaState = f.CreateGauge("ipsec_ike_sa_state", "1 for each IKE SA, labelled with its state.", SaLabels);
        _childSaState = f.CreateGauge("ipsec_child_sa_state", "1 for each CHILD SA, labelled with its state.", "connection", "child", "unique_id", "ike_sa_id", "state");
        _halfOpen = f.CreateGauge("ipsec_ike_half_open_sas", "Responder IKE SAs not yet established.");
        _bytesIn = f.CreateCounter("ipsec_child_sa_bytes_in", "Bytes received on the CHILD SA's inbound SA.", ChildLabels);
        _bytesOut = f.CreateCounter("ipsec_child_sa_bytes_out", "Bytes sent on the CHILD SA's outbound SA.", ChildLabels);
        _packetsIn = f.CreateCounter("ipsec_child_sa_packets_in", "Packets received on the CHILD SA's inbound SA.", ChildLabels);
        _packetsOut = f.CreateCounter("ipsec_child_sa_packets_out", "Packets sent on the CHILD SA's outbound SA.", ChildLabels);
        _exchanges = f.CreateCounter("ipsec_ike_exchanges_total", "IKE exchanges: requests we sent (role=initiator) and requests we answered (role=responder).", "exchange", "role");
        _failures = f.CreateCounter("ipsec_ike_failures_total", "Failed negotiations by the part that failed: proposal, ts, identity, timeout, other.", "reason");
        _retransmits = f.CreateCounter("ipsec_ike_retransmits_total", "IKE requests retransmitted.");
        _rekeys = f.CreateCounter("ipsec_ike_rekeys_total", "Completed rekeys, of IKE SAs (sa=ike) and CHILD SAs (sa=child).", "sa");
        _ikeDropped = f.CreateCounter("ipsec_ike_dropped_datagrams_total", "IKE datagrams the engine dropped (malformed, unknown SPI, failed ICV, unexpected message ID).");
        _ikeIntegrity = f.CreateCounter("ipsec_ike_integrity_failures_total", "IKE messages whose integrity check failed.");
        _shed = f.CreateCounter("ipsec_ike_shed_datagrams_total", "IKE datagrams shed before the engine because its queue was full, by kind.", "kind");
        _dataPlaneDrops = f.CreateCounter("ipsec_dataplane_drops_total", "Packets the data plane dropped, by reason (replay, icv, no_sa …).", "reason");
        _dataPlanePackets = f.CreateCounter("ipsec_dataplane_packets_total", "Packets through the data plane: encapsulated (out) and decapsulated (in).", "direction");
        _messages = f.CreateCounter("ipsec_ike_messages_total", "IKE messages sent (direction=out) and received (direction=in, authenticated or IKE_SA_INIT), by exchange and type (request, response).", "exchange", "direction", "type");
        _connMessages = f.CreateCounter("ipsec_connection_ike_messages_total", "IKE messages per connection, as ipsec_ike_messages_total.", "connection", "exchange", "direction", "type");
        _connRekeys = f.CreateCounter("ipsec_connection_rekeys_total", "Completed rekeys per connection, of IKE SAs (sa=ike) and CHILD SAs (sa=child).", "connection", "sa");
        _connRetransmits = f.CreateCounter("ipsec_connection_ike_retransmits_total", "IKE requests retransmitted per connection.", "connection");
        _connBytes = f.CreateCounter("ipsec_connection_bytes_total", "Bytes through the connection's CHILD SAs, in and out, including those since deleted (counted up to the last scrape before they went).", "connection", "direction");
        _connPackets = f.CreateCounter("ipsec_connection_packets_total", "Packets through the connection's CHILD SAs, as ipsec_connection_bytes_total.", "connection", "direction");
        Registry.AddBeforeCollectCallback(UpdateAsync);
    }

    private static void Messages(Counter counter, string[] prefix, IReadOnlyDictionary<string, long> requestsSent, IReadOnlyDictionary<string, long> responsesSent,
        IReadOnlyDictionary<string, long> requestsReceived, IReadOnlyDictionary<string, long> responsesReceived)
    {
        foreach (var (direction, type, counts) in new[] { ("out", "request", requestsSent), ("out", "response", responsesSent), ("in", "request", requestsReceived), ("in", "response", responsesReceived) })
            foreach (var (exchange, n) in counts)
                counter.WithLabels([.. prefix, exchange, direction, type]).IncTo(n);
    }

    /// <summary>
    /// Each connection's traffic: every CHILD_SA's growth since the last scrape is added to its connection's
    /// totals, so the totals keep what deleted CHILD_SAs carried (up to the scrape before they went).
    /// </summary>
    private void AddConnectionTraffic(IReadOnlyList<IkeSaInfo> sas)
    {
        var seen = new Dictionary<uint, (string, ulong, ulong, ulong, ulong)>();
        foreach (var sa in sas)
        {
            foreach (var c in sa.Children)
            {
                (string Connection, ulong BytesIn, ulong BytesOut, ulong PacketsIn, ulong PacketsOut) before =
                    _childSeen.TryGetValue(c.UniqueId, out var b) ? b : (sa.Name, 0UL, 0UL, 0UL, 0UL);
                _connBytes.WithLabels(sa.Name, "in").Inc(Growth(c.BytesIn, before.BytesIn));
                _connBytes.WithLabels(sa.Name, "out").Inc(Growth(c.BytesOut, before.BytesOut));
                _connPackets.WithLabels(sa.Name, "in").Inc(Growth(c.PacketsIn, before.PacketsIn));
                _connPackets.WithLabels(sa.Name, "out").Inc(Growth(c.PacketsOut, before.PacketsOut));
                seen[c.UniqueId] = (sa.Name, Math.Max(c.BytesIn, before.BytesIn), Math.Max(c.BytesOut, before.BytesOut),
                    Math.Max(c.PacketsIn, before.PacketsIn), Math.Max(c.PacketsOut, before.PacketsOut));
            }
        }
        _childSeen = seen;
    }

    private static double Growth(ulong now, ulong before) => now > before ? now - before : 0;

    private async Task UpdateAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var (sas, activity) = await _loop.InvokeAsync(e => (e.ListSas(), e.Activity())).ConfigureAwait(false);
            Update(sas, activity);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Update(IReadOnlyList<IkeSaInfo> sas, IkeActivity? activity)
    {
        var ikeByState = IkeStates.ToDictionary(s => s, _ => 0);
        var childByState = ChildStates.ToDictionary(s => s, _ => 0);
        var ikeSeries = new HashSet<string[]>(LabelsComparer.Instance);
        var childStateSeries = new HashSet<string[]>(LabelsComparer.Instance);
        var childSeries = new HashSet<string[]>(LabelsComparer.Instance);
        foreach (var sa in sas)
        {
            ikeByState[sa.State] = ikeByState.GetValueOrDefault(sa.State) + 1;
            string id = sa.UniqueId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string[] labels = [sa.Name, id, sa.LocalHost, sa.RemoteHost, sa.State];
            _ikeSaState.WithLabels(labels).Set(1);
            ikeSeries.Add(labels);
            foreach (var c in sa.Children)
            {
                childByState[c.State] = childByState.GetValueOrDefault(c.State) + 1;
                string cid = c.UniqueId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string[] stateLabels = [sa.Name, c.Name, cid, id, c.State];
                _childSaState.WithLabels(stateLabels).Set(1);
                childStateSeries.Add(stateLabels);
                string[] l = [sa.Name, c.Name, cid, id, c.SpiIn, c.SpiOut];
                _bytesIn.WithLabels(l).IncTo(c.BytesIn);
                _bytesOut.WithLabels(l).IncTo(c.BytesOut);
                _packetsIn.WithLabels(l).IncTo(c.PacketsIn);
                _packetsOut.WithLabels(l).IncTo(c.PacketsOut);
                childSeries.Add(l);
            }
        }
        foreach (var (state, n) in ikeByState) _ikeSas.WithLabels(state).Set(n);
        foreach (var (state, n) in childByState) _childSas.WithLabels(state).Set(n);
        foreach (var gone in _ikeSeries.Except(ikeSeries, LabelsComparer.Instance)) _ikeSaState.RemoveLabelled(gone);
        foreach (var gone in _childStateSeries.Except(childStateSeries, LabelsComparer.Instance)) _childSaState.RemoveLabelled(gone);
        foreach (var gone in _childSeries.Except(childSeries, LabelsComparer.Instance))
        {
            _bytesIn.RemoveLabelled(gone);
            _bytesOut.RemoveLabelled(gone);
            _packetsIn.RemoveLabelled(gone);
            _packetsOut.RemoveLabelled(gone);
        }
        (_ikeSeries, _childStateSeries, _childSeries) = (ikeSeries, childStateSeries, childSeries);
        AddConnectionTraffic(sas);

        if (activity is not null)
        {
            foreach (var (exchange, n) in activity.RequestsSent) _exchanges.WithLabels(exchange, "initiator").IncTo(n);
            foreach (var (exchange, n) in activity.ResponsesSent) _exchanges.WithLabels(exchange, "responder").IncTo(n);
            foreach (var (reason, n) in activity.Failures) _failures.WithLabels(FeedJson.FailureName(reason)).IncTo(n);
            _retransmits.IncTo(activity.Retransmits);
            _rekeys.WithLabels("ike").IncTo(activity.IkeRekeys);
            _rekeys.WithLabels("child").IncTo(activity.ChildRekeys);
            _halfOpen.Set(activity.HalfOpen);
            _ikeDropped.IncTo(activity.Dropped);
            _ikeIntegrity.IncTo(activity.IntegrityFailures);
            Messages(_messages, [], activity.RequestsSent, activity.ResponsesSent, activity.RequestsReceived, activity.ResponsesReceived);
            foreach (var (name, c) in activity.Connections)
            {
                Messages(_connMessages, [name], c.RequestsSent, c.ResponsesSent, c.RequestsReceived, c.ResponsesReceived);
                _connRekeys.WithLabels(name, "ike").IncTo(c.IkeRekeys);
                _connRekeys.WithLabels(name, "child").IncTo(c.ChildRekeys);
                _connRetransmits.WithLabels(name).IncTo(c.Retransmits);
            }
        }
        _shed.WithLabels("new_sa").IncTo(_loop.Ingress.ShedNewSa);
        _shed.WithLabels("sa").IncTo(_loop.Ingress.ShedSa);
        if (_kernel is UserspaceKernel k)
        {
            var s = k.Statistics;
            foreach (var reason in Enum.GetValues<DropReason>())
                if (reason != default) _dataPlaneDrops.WithLabels(DropName(reason)).IncTo(0);
            foreach (var (reason, n) in s.Drops()) _dataPlaneDrops.WithLabels(DropName(reason)).IncTo(n);
            _dataPlanePackets.WithLabels("encapsulated").IncTo(s.Encapsulated);
            _dataPlanePackets.WithLabels("decapsulated").IncTo(s.Decapsulated);
        }
    }

    /// <summary>DropReason in the snake case Prometheus labels use: ReplayWindow → replay_window.</summary>
    public static string DropName(DropReason reason)
    {
        string name = reason.ToString();
        var b = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) b.Append('_');
            b.Append(char.ToLowerInvariant(name[i]));
        }
        return b.ToString();
    }

    private sealed class LabelsComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelsComparer Instance = new();
        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);
        public int GetHashCode(string[] obj)
        {
            var h = new HashCode();
            foreach (var s in obj) h.Add(s);
            return h.ToHashCode();
        }
    }
}
