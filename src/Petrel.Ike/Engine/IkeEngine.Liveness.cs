using Petrel.DataPlane.Kernel;
using Petrel.Ike.Config;

namespace Petrel.Ike.Engine;

/// <summary>
/// Dead peer detection (RFC 7296 §2.4, strongSwan semantics) and what happens when a peer is lost:
/// <list type="bullet">
/// <item>dpd_delay: an empty INFORMATIONAL goes out only when nothing came in for that long, neither an
/// IKE message nor inbound ESP on any CHILD_SA (the data plane's inbound packet counters).</item>
/// <item>The peer is dead when any request on an established IKE SA exhausts its retransmissions
/// (the §2.1 back-off; dpd_timeout only applies to IKEv1, as in strongSwan).</item>
/// <item>Then per CHILD_SA its dpd_action: clear (gone), trap (trap policy: traffic brings it back),
/// restart (re-initiate now, and retry with back-off until the peer answers).</item>
/// <item>When the peer deletes a CHILD_SA or the IKE SA, close_action does the same: none, trap, start.</item>
/// </list>
/// </summary>
public sealed partial class IkeEngine
{
    private readonly List<RestartSchedule> _restarts = [];

    /// <summary>Longest wait between two restart attempts.</summary>
    internal static readonly TimeSpan MaxRestartDelay = TimeSpan.FromMinutes(5);

    /// <summary>Empty INFORMATIONAL requests sent by DPD (for tests and statistics).</summary>
    public long LivenessChecksSent { get; private set; }

    /// <summary>Per-SA part of Tick: sends a DPD check when the SA has been idle inbound for dpd_delay.</summary>
    private void TickLiveness(IkeSa sa, TimeSpan now)
    {
        var delay = sa.Config.DpdDelay;
        if (delay <= TimeSpan.Zero || sa.State != IkeSaState.Established) return;
        var last = sa.LastInbound > sa.EstablishedAt ? sa.LastInbound : sa.EstablishedAt;
        if (now - last < delay) return;
        // Any exchange under way is itself a liveness check (its retransmissions declare the peer dead).
        if (sa.Outstanding is not null || sa.Tasks.Count > 0) return;
        ulong packets = InboundPackets(sa);
        if (packets != sa.InboundPacketsSeen)
        {
            // ESP came in since we last looked: the peer is alive, no need to ask.
            sa.InboundPacketsSeen = packets;
            sa.LastInbound = now;
            return;
        }
        Log.Debug(sa, $"no inbound traffic for {(now - last).TotalSeconds:0.#} s, sending DPD");
        LivenessChecksSent++;
        Queue(sa, InformationalTask.Liveness(this));
    }

    private ulong InboundPackets(IkeSa sa)
    {
        ulong sum = 0;
        foreach (var c in sa.Children)
            if (c.Installed && Kernel.TryGetCounters(c.SpiIn, SaDirection.Inbound, out var counters)) sum += counters.Packets;
        return sum;
    }

    /// <summary>Retransmissions ran out: an established SA's peer is dead (dpd_action follows in <see cref="AfterDestroy"/>).</summary>
    private void PeerNotResponding(IkeSa sa)
    {
        // A peer that stops answering a delete we sent is gone too, but we wanted the SA gone: no action.
        sa.PeerDead = sa.State is IkeSaState.Established or IkeSaState.Rekeying;
        Destroy(sa, "peer not responding");
    }

    /// <summary>Called by Destroy with the configs of the CHILD_SAs the SA had: applies dpd_action or close_action.</summary>
    private void AfterDestroy(IkeSa sa, List<ChildConfig> lost)
    {
        if (!sa.PeerDead && !sa.ClosedByPeer) return;
        var config = FindConnection(sa.Name);
        if (config is null) return;
        foreach (var child in lost.DistinctBy(c => c.Name))
        {
            string action = sa.PeerDead ? child.DpdAction : child.CloseAction;
            ApplyAction(config, child, action, sa.PeerDead ? "dpd_action" : "close_action", sa);
        }
    }

    /// <summary>The peer deleted one CHILD_SA (not a rekeyed one): its close_action.</summary>
    internal void ChildClosedByPeer(IkeSa sa, ChildConfig child, ChildSaState stateBefore)
    {
        // A rekeyed CHILD_SA (or one we were deleting ourselves) going away loses nothing.
        if (stateBefore is ChildSaState.Rekeyed or ChildSaState.Rekeying or ChildSaState.Deleting) return;
        var config = FindConnection(sa.Name);
        if (config is null) return;
        ApplyAction(config, child, child.CloseAction, "close_action", sa);
    }

    private void ApplyAction(ConnectionConfig config, ChildConfig child, string action, string setting, IkeSa from)
    {
        if (action is "none" or "clear") return;
        // Another IKE SA of this connection still carries this child (reauthentication, a duplicate): nothing is lost.
        if (HasInstalledChild(config.Name, child.Name)) return;
        switch (action)
        {
            case "trap" or "hold":
                Log.Info(from, $"{setting} = trap: installing a trap policy for {config.Name}/{child.Name}");
                if (InstallTrap(config, child, temporary: child.StartAction != "trap") is { } error) Log.Warn(from, error);
                break;
            case "restart" or "start":
                Log.Info(from, $"{setting} = {action}: re-initiating {config.Name}/{child.Name}");
                ScheduleRestart(config.Name, child.Name);
                break;
        }
    }

    private void ScheduleRestart(string connection, string child)
    {
        if (_restarts.Exists(r => r.Connection == connection && r.Child == child)) return;
        _restarts.Add(new RestartSchedule { Connection = connection, Child = child, Due = Clock.Now });
        // Start at once rather than waiting for the next Tick.
        TickRestarts(Clock.Now);
    }

    /// <summary>Engine-wide part of Tick: due restart attempts.</summary>
    private void TickRestarts(TimeSpan now)
    {
        foreach (var r in _restarts.ToList())
        {
            if (r.InFlight || now < r.Due) continue;
            if (FindConnection(r.Connection) is not { } config || !config.Children.Any(c => c.Name == r.Child))
            {
                _restarts.Remove(r);
                continue;
            }
            r.InFlight = true;
            r.Attempts++;
            var schedule = r;
            Initiate(r.Connection, r.Child, result =>
            {
                schedule.InFlight = false;
                if (result.Success)
                {
                    Log.Info(null, $"{schedule.Connection}/{schedule.Child} restarted after {schedule.Attempts} attempt(s)");
                    _restarts.Remove(schedule);
                    return;
                }
                var wait = RestartSchedule.Backoff(Options.RetransmitTimeout, MaxRestartDelay, schedule.Attempts);
                schedule.Due = Clock.Now + wait;
                Log.Info(null, $"restarting {schedule.Connection}/{schedule.Child} failed (attempt {schedule.Attempts}: {result.Message}), retrying in {wait.TotalSeconds:0.#} s");
            });
        }
    }

    /// <summary>Restarts waiting for their next attempt (connection/child, attempts made).</summary>
    public IReadOnlyList<(string Connection, string Child, int Attempts)> PendingRestarts =>
        _restarts.Select(r => (r.Connection, r.Child, r.Attempts)).ToList();

    /// <summary>The restarts' earliest timer, merged into NextDeadline.</summary>
    private TimeSpan? OtherDeadlines(TimeSpan? next)
    {
        foreach (var r in _restarts)
            if (!r.InFlight) next = Min(next, r.Due);
        return next;
    }

    /// <summary>When this SA's next DPD check is due, or null (no dpd_delay, not established, or an exchange under way has its retransmission deadline instead).</summary>
    private static TimeSpan? LivenessDue(IkeSa sa)
    {
        if (sa.Config.DpdDelay <= TimeSpan.Zero || sa.State != IkeSaState.Established || sa.Outstanding is not null || sa.Tasks.Count > 0) return null;
        var last = sa.LastInbound > sa.EstablishedAt ? sa.LastInbound : sa.EstablishedAt;
        return last + sa.Config.DpdDelay;
    }

    /// <summary>"petrel down" cancels restarts of the connection (and its temporary traps).</summary>
    private void CancelRestarts(string connection, string? child) =>
        _restarts.RemoveAll(r => r.Connection == connection && (child is null || r.Child == child));
}
