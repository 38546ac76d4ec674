using Microsoft.Extensions.Logging;

namespace Petrel.Ike.Engine;

/// <summary>
/// The timers of all IKE SAs in one priority queue, so a wake-up costs the SAs that are due, not all of them.
/// Each SA has one live entry: the earliest of its retransmission, keepalive, half-open timeout, lifetimes
/// (IKE and CHILD_SA), DPD check and, with byte or packet limits, the next look at the data plane's counters.
/// Whatever may move one of those earlier marks the SA touched (<see cref="Touch"/>: a message handled for it,
/// a request queued or sent, a state change, an SA added, children moved to it); touched SAs get their entry
/// recomputed before the next <see cref="Tick"/> and <see cref="NextDeadline"/>. An entry that fires early is
/// harmless (the SA's timers check the time themselves); the rule is that none may fire late.
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>How often an SA with rekey_bytes/life_bytes/…_packets looks at its counters (the data plane has no expiry events).</summary>
    internal static readonly TimeSpan CounterPollInterval = TimeSpan.FromSeconds(1);

    private readonly PriorityQueue<IkeSa, TimeSpan> _due = new();
    private readonly HashSet<IkeSa> _touched = new(ReferenceEqualityComparer.Instance);

    /// <summary>Something about this SA's timers may have changed: its queue entry is recomputed before the next tick.</summary>
    internal void Touch(IkeSa sa) => _touched.Add(sa);

    /// <summary>Runs the timers of the SAs that are due.</summary>
    private void TickDueSas(TimeSpan now)
    {
        Reschedule(now);
        while (_due.TryPeek(out var sa, out var due) && due <= now)
        {
            _due.Dequeue();
            if (sa.NextDue != due || sa.State == IkeSaState.Destroying) continue; // stale entry
            sa.NextDue = LifetimeSchedule.Never;
            Touch(sa);
            try
            {
                TickSa(sa, now);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One SA's failure must not stop the timers of the others.
                _log.LogError("{IkeSa}: timer handling failed: {Type}: {Message}", sa.Tag, e.GetType().Name, e.Message);
            }
        }
        Reschedule(now);
    }

    private void Reschedule(TimeSpan now)
    {
        if (_touched.Count == 0) return;
        foreach (var sa in _touched)
        {
            var due = sa.State == IkeSaState.Destroying ? LifetimeSchedule.Never : DueOf(sa, now);
            if (due == sa.NextDue) continue;
            sa.NextDue = due;
            if (due != LifetimeSchedule.Never) _due.Enqueue(sa, due);
        }
        _touched.Clear();
        // Superseded entries stay until they surface; rebuild once they outnumber the live ones (amortised O(1)).
        if (_due.Count > 4 * _sas.Count + 1024)
        {
            _due.Clear();
            foreach (var sa in _sas.All)
                if (sa.NextDue != LifetimeSchedule.Never) _due.Enqueue(sa, sa.NextDue);
        }
    }

    /// <summary>The earliest time anything of this SA must run.</summary>
    private TimeSpan DueOf(IkeSa sa, TimeSpan now)
    {
        var next = LifetimeDeadline(sa, now);
        if (sa.Version == 1) next = Earliest(next, V1DueOf(sa));
        if (sa.Outstanding is { } p) next = Earliest(next, p.Deadline);
        if (sa.State == IkeSaState.Established && sa.NextKeepalive != TimeSpan.MaxValue) next = Earliest(next, sa.NextKeepalive);
        if (sa.IsHalfOpen) next = Earliest(next, sa.CreatedAt + Options.HalfOpenTimeout);
        if (LivenessDue(sa) is { } l) next = Earliest(next, l);
        if (PollsCounters(sa)) next = Earliest(next, now + CounterPollInterval);
        return next;
    }

    private static bool PollsCounters(IkeSa sa)
    {
        if (sa.State is not (IkeSaState.Established or IkeSaState.Rekeying)) return false;
        foreach (var c in sa.Children)
        {
            if (c.Config.HasTrafficLimits && c.Installed
                && c.State is not (ChildSaState.Deleting or ChildSaState.Destroying)) return true;
        }
        return false;
    }

    /// <summary>The earliest pending timer, if any, so a host may sleep until then.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            Reschedule(Clock.Now);
            TimeSpan? next = null;
            while (_due.TryPeek(out var sa, out var due))
            {
                if (sa.NextDue == due && sa.State != IkeSaState.Destroying)
                {
                    next = due;
                    break;
                }
                _due.Dequeue();
            }
            return OtherDeadlines(next);
        }
    }
}
