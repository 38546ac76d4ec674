using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// The event feed: every IKE SA and CHILD_SA transition, up/down/rekey, and negotiation failures with the
/// part that failed, handed to <see cref="Events"/> on the engine thread; and the activity counters
/// (<see cref="Activity"/>) that Prometheus and vici's stats read.
/// </summary>
public sealed partial class IkeEngine : IIkeEvents
{
    private readonly Action<IkeSa, IkeSaState> _ikeObserver;
    private readonly long[] _requestsSent = new long[256], _responsesSent = new long[256];
    private readonly long[] _failures = new long[Enum.GetValues<SaFailure>().Length];
    private long _retransmits, _ikeRekeys, _childRekeys;

    /// <summary>
    /// Receives every <see cref="SaEvent"/>, on the engine thread, right after the change. It must return at
    /// once and must not call back into the engine (the daemon's hub copies the event into bounded queues).
    /// An exception it throws is swallowed: the feed can never break an exchange.
    /// </summary>
    public Action<SaEvent>? Events { get; set; }

    internal Action<ChildSa, ChildSaState> ChildObserver { get; }
    Action<ChildSa, ChildSaState> IIkeEvents.ChildObserver => ChildObserver;
    IIkeEvents IIkeContext.Events => this;

    /// <summary>A snapshot of the activity counters (call on the engine thread like everything else).</summary>
    public IkeActivity Activity()
    {
        var sent = new Dictionary<string, long>();
        var answered = new Dictionary<string, long>();
        for (int i = 0; i < 256; i++)
        {
            if (_requestsSent[i] > 0) sent[MessageSummary.ExchangeName((ExchangeType)i)] = _requestsSent[i];
            if (_responsesSent[i] > 0) answered[MessageSummary.ExchangeName((ExchangeType)i)] = _responsesSent[i];
        }
        var failures = new Dictionary<SaFailure, long>();
        foreach (var f in Enum.GetValues<SaFailure>())
            if (f != SaFailure.None) failures[f] = _failures[(int)f];
        return new IkeActivity(sent, answered, failures, _retransmits, _ikeRekeys, _childRekeys, _sas.HalfOpen, DroppedDatagrams, IntegrityFailures, DroppedByLimits)
        {
            RequestsReceived = ByExchange(_requestsReceived),
            ResponsesReceived = ByExchange(_responsesReceived),
            Connections = ConnectionActivities(),
        };
    }

    void IIkeEvents.CountRequest(ExchangeType exchange, IkeSa sa)
    {
        _requestsSent[(byte)exchange]++;
        if (ConnectionCounters(sa) is { } c) c.RequestsSent[(byte)exchange]++;
    }

    void IIkeEvents.CountResponse(ExchangeType exchange, IkeSa sa)
    {
        _responsesSent[(byte)exchange]++;
        if (ConnectionCounters(sa) is { } c) c.ResponsesSent[(byte)exchange]++;
    }

    void IIkeEvents.CountRetransmit(IkeSa sa)
    {
        _retransmits++;
        if (ConnectionCounters(sa) is { } c) c.Retransmits++;
    }
    void IIkeEvents.Failed(IkeSa? sa, SaFailure failure, string message, string connection, IPEndPoint? remote) => Failed(sa, failure, message, connection, remote);

    /// <summary>A negotiation failed (the caller logs its own line): counted by part and put on the feed.</summary>
    internal void Failed(IkeSa? sa, SaFailure failure, string message, string connection = "", IPEndPoint? remote = null)
    {
        _failures[(int)failure]++;
        if (sa is not null) sa.FailureReported = true;
        Publish(new SaEvent
        {
            Kind = SaEventKind.Failure, Time = Clock.UtcNow, Failure = failure, Message = message,
            Connection = sa?.Name ?? connection, IkeSaId = sa?.UniqueId ?? 0,
            IkeState = sa is null ? "" : StateNames.Of(sa.State),
            LocalHost = sa?.Local.Address.ToString() ?? "", RemoteHost = sa?.Remote.Address.ToString() ?? remote?.Address.ToString() ?? "",
        });
    }

    private void OnIkeTransition(IkeSa sa, IkeSaState from)
    {
        var to = sa.State;
        Publish(IkeEvent(SaEventKind.IkeState, sa, from));
        switch (to)
        {
            case IkeSaState.Established when from is IkeSaState.Connecting:
                sa.WasUp = true;
                if (!sa.FromRekey) Publish(IkeEvent(SaEventKind.IkeUp, sa, from));
                break;
            case IkeSaState.Rekeyed:
                sa.WasUp = false; // its end is the rekey's, not a down
                if (sa.Successor is { } next && !ReferenceEquals(next, sa))
                {
                    _ikeRekeys++;
                    if (ConnectionCounters(sa) is { } counters) counters.IkeRekeys++;
                    Publish(IkeEvent(SaEventKind.IkeRekey, sa, from) with { NewIkeSaId = next.UniqueId });
                }
                break;
            // IkeSaState.Destroying: PublishEnd, once Destroy has taken the CHILD_SAs down (their downs come first, as strongSwan's).
        }
    }

    /// <summary>Destroy's last word: the IKE SA's down, or its failure when it never came up.</summary>
    internal void PublishEnd(IkeSa sa, IkeSaState from)
    {
        switch (sa.State)
        {
            case IkeSaState.Destroying:
                if (sa.WasUp)
                {
                    sa.WasUp = false;
                    Publish(IkeEvent(SaEventKind.IkeDown, sa, from) with { Message = sa.EndReason ?? "deleted" });
                }
                else if (!sa.FromRekey && !sa.FailureReported && from is IkeSaState.Created or IkeSaState.Connecting)
                {
                    Failed(sa, sa.EndReason?.Contains("does not answer", StringComparison.Ordinal) == true ? SaFailure.Timeout : SaFailure.Other,
                        $"IKE_SA {sa.Tag} failed: {sa.EndReason ?? "destroyed"}");
                }
                break;
        }
    }

    private void OnChildTransition(ChildSa c, ChildSaState from)
    {
        var to = c.State;
        Publish(ChildEvent(SaEventKind.ChildState, c, from));
        switch (to)
        {
            case ChildSaState.Installed when from is ChildSaState.Installing:
                c.WasUp = true;
                if (c.Replaces is { } old)
                {
                    _childRekeys++;
                    if (c.Owner is { } owner && ConnectionCounters(owner) is { } counters) counters.ChildRekeys++;
                    Publish(ChildEvent(SaEventKind.ChildRekey, old, old.State) with { NewChildSaId = c.UniqueId, ChildState = StateNames.Of(old.State) });
                }
                else Publish(ChildEvent(SaEventKind.ChildUp, c, from));
                break;
            case ChildSaState.Rekeyed:
                c.WasUp = false;
                break;
            case ChildSaState.Destroying when c.WasUp:
                c.WasUp = false;
                Publish(ChildEvent(SaEventKind.ChildDown, c, from) with { Message = c.Owner?.EndReason ?? "deleted" });
                break;
        }
    }

    private SaEvent IkeEvent(SaEventKind kind, IkeSa sa, IkeSaState from) => new()
    {
        Kind = kind, Time = Clock.UtcNow, Connection = sa.Name, IkeSaId = sa.UniqueId,
        IkeState = StateNames.Of(sa.State), PreviousIkeState = StateNames.Of(from),
        LocalHost = sa.Local.Address.ToString(), RemoteHost = sa.Remote.Address.ToString(),
        LocalId = sa.LocalId?.ToString() ?? "", RemoteId = sa.RemoteId?.ToString() ?? "", Initiator = sa.IsInitiator,
        InitiatorSpi = sa.SpiI.ToString("x16"), ResponderSpi = sa.SpiR.ToString("x16"),
    };

    /// <summary>vici's ike-update: published before the SA takes its new endpoints, so the event has both.</summary>
    private void PublishUpdate(IkeSa sa, IPEndPoint local, IPEndPoint remote) =>
        Publish(IkeEvent(SaEventKind.IkeUpdate, sa, sa.State) with
        {
            LocalPort = sa.Local.Port, RemotePort = sa.Remote.Port,
            NewLocalHost = local.Address.ToString(), NewLocalPort = local.Port, NewRemoteHost = remote.Address.ToString(), NewRemotePort = remote.Port,
        });

    private SaEvent ChildEvent(SaEventKind kind, ChildSa c, ChildSaState from) => new()
    {
        Kind = kind, Time = Clock.UtcNow, Connection = c.Owner?.Name ?? "", IkeSaId = c.Owner?.UniqueId ?? 0,
        IkeState = c.Owner is { } o ? StateNames.Of(o.State) : "",
        Child = c.Config.Name, ChildSaId = c.UniqueId, ChildState = StateNames.Of(c.State), PreviousChildState = StateNames.Of(from),
        LocalHost = c.Owner?.Local.Address.ToString() ?? "", RemoteHost = c.Owner?.Remote.Address.ToString() ?? "",
        SpiIn = c.SpiIn.ToString("x8"), SpiOut = c.SpiOut.ToString("x8"),
    };

    private void Publish(SaEvent e)
    {
        var sink = Events;
        if (sink is null) return;
        try
        {
            sink(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (_log.IsEnabled(LogLevel.Debug)) _log.LogDebug("event feed subscriber failed: {Error}", ex.Message);
        }
    }
}

/// <summary>The engine's activity counters since start (exchange names as Wireshark and strongSwan print them).</summary>
public sealed record IkeActivity(
    IReadOnlyDictionary<string, long> RequestsSent,
    IReadOnlyDictionary<string, long> ResponsesSent,
    IReadOnlyDictionary<SaFailure, long> Failures,
    long Retransmits, long IkeRekeys, long ChildRekeys, int HalfOpen,
    long Dropped, long IntegrityFailures, long DroppedByLimits)
{
    /// <summary>Authenticated requests and responses received (IKE_SA_INIT in cleartext), by exchange.</summary>
    public IReadOnlyDictionary<string, long> RequestsReceived { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> ResponsesReceived { get; init; } = new Dictionary<string, long>();

    /// <summary>The same counts per connection (an IKE SA counts for its connection once it has one), by name.</summary>
    public IReadOnlyDictionary<string, ConnectionActivity> Connections { get; init; } = new Dictionary<string, ConnectionActivity>();
}

/// <summary>One connection's IKE counters since start (charon's counters plugin counts per connection the same way).</summary>
public sealed record ConnectionActivity(
    IReadOnlyDictionary<string, long> RequestsSent,
    IReadOnlyDictionary<string, long> ResponsesSent,
    IReadOnlyDictionary<string, long> RequestsReceived,
    IReadOnlyDictionary<string, long> ResponsesReceived,
    long Retransmits, long IkeRekeys, long ChildRekeys);
