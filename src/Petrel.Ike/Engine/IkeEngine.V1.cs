using System.Net;
using Petrel.Ike.Config;
using Petrel.Ike.V1;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// The services IKEv1 (<see cref="IkeV1Protocol"/>, src/Petrel.Ike/V1) takes from the engine: the same SA table,
/// data plane, timers, lifetimes, DPD actions and logs as IKEv2.
/// </summary>
public sealed partial class IkeEngine
{
    private IkeV1Protocol? _v1;

    internal IkeV1Protocol V1 => _v1 ??= new IkeV1Protocol(this);

    internal IkeSaManager SaTable => _sas;

    /// <summary>IKEv1 messages dropped (malformed, unknown cookies, failed HASH, unexpected).</summary>
    public long V1Dropped => _v1?.Dropped ?? 0;

    /// <summary>R-U-THERE messages sent by IKEv1 DPD.</summary>
    public long V1DpdSent => _v1?.Info.DpdSent ?? 0;

    internal void PeerGone(IkeSa sa) => PeerNotResponding(sa);

    internal IkeSa CreateV1Sa(ConnectionConfig config, bool initiator, IPEndPoint local, IPEndPoint remote)
    {
        var sa = new IkeSa
        {
            UniqueId = ++_nextIkeId,
            Config = config,
            IsInitiator = initiator,
            Local = local,
            Remote = remote,
            CreatedAt = Clock.Now,
            Version = 1,
            V1 = new Phase1State(),
        };
        ulong cookie = _sas.NewSpi(Random);
        if (initiator) sa.SpiI = cookie; else sa.SpiR = cookie;
        return sa;
    }

    /// <summary>The pre-shared key for our and the peer's identity (a copy: Phase 1 zeroes it once SKEYID exists).</summary>
    internal byte[]? FindV1Psk(IkeSa sa, Identity local, Identity remote, out string error) =>
        Psk.FindSecret(sa, local, remote, out error)?.ToArray();

    /// <summary>Connections with `version = 1` or `version = 0` whose local_addrs/remote_addrs admit these addresses, best match first.</summary>
    internal List<ConnectionConfig> V1ConnectionsFor(IPAddress local, IPAddress remote) => ConnectionsFor(local, remote, excludedVersion: 2);

    internal void EstablishedV1(IkeSa sa) => Established(sa);

    internal IEnumerable<ChildSa> V1ChildrenOfConnection(string name) => _sas.OfConnection(name).SelectMany(s => s.Children);

    /// <summary>The earliest IKEv1 timer of an SA: a retransmission, or the next DPD look.</summary>
    private TimeSpan V1DueOf(IkeSa sa)
    {
        var next = LifetimeSchedule.Never;
        if (sa.V1 is not { } state) return next;
        foreach (var r in state.InFlight.Values) next = Earliest(next, r.Next);
        foreach (var s in state.Switches) next = Earliest(next, s.Due);
        // An initiator waiting for the peer's XAuth request or pushed address gives up after the half-open timeout.
        if (sa.IsInitiator && state.Transactions.Deferred) next = Earliest(next, sa.CreatedAt + Options.HalfOpenTimeout);
        // Kilobyte lifetimes negotiated in Quick Mode are watched on the data plane's counters.
        if (sa.State == IkeSaState.Established && state.LifeBytes.Count > 0) next = Earliest(next, Clock.Now + CounterPollInterval);
        if (sa.State == IkeSaState.Established && sa.Config.DpdDelay > TimeSpan.Zero && state.PeerDpd)
        {
            var last = sa.LastInbound > sa.EstablishedAt ? sa.LastInbound : sa.EstablishedAt;
            next = Earliest(next, last + sa.Config.DpdDelay);
            if (state.DpdPending is not null) next = Earliest(next, Earliest(state.DpdSentAt + sa.Config.DpdDelay, last + sa.Config.DpdTimeout));
        }
        return next;
    }
}
