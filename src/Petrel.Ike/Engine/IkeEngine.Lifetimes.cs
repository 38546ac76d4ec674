using System.Net;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Config;

namespace Petrel.Ike.Engine;

/// <summary>
/// Lifetimes of IKE and CHILD SAs: soft expiry starts a rekey (or reauthentication), hard expiry
/// deletes; byte and packet limits are polled from the data plane on Tick (RFC 7296 §2.8).
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>strongSwan retries a rekey refused with TEMPORARY_FAILURE after 15 s minus up to 10 s of jitter (RFC 7296 §2.25).</summary>
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(15);
    internal static readonly TimeSpan RetryJitter = TimeSpan.FromSeconds(10);

    /// <summary>Rekeys this engine started (by kind), for tests and the daemon's statistics.</summary>
    public long ChildRekeysInitiated => Counters.ChildRekeysInitiated;
    public long IkeRekeysInitiated => Counters.IkeRekeysInitiated;
    public long ReauthsInitiated => Counters.ReauthsInitiated;

    /// <summary>Installed CHILD_SAs per reqid (all IKE SAs), kept as they are installed and removed.</summary>
    private readonly Dictionary<uint, int> _installedByReqId = [];

    internal void SetInstalled(ChildSa child, bool installed)
    {
        if (child.Installed == installed) return;
        child.Installed = installed;
        // The data plane has its own copy of the keys (zeroed when the SA is removed); ours only serves export-keys.
        if (installed && !Options.ExportKeys) child.ForgetKeys();
        int n = _installedByReqId.GetValueOrDefault(child.ReqId) + (installed ? 1 : -1);
        if (n > 0) _installedByReqId[child.ReqId] = n;
        else _installedByReqId.Remove(child.ReqId);
    }

    /// <summary>True when another installed CHILD_SA (any IKE SA) uses this reqid, i.e. its policy must stay.</summary>
    internal bool ReqIdInUse(uint reqId, ChildSa except) =>
        _installedByReqId.GetValueOrDefault(reqId) - (except.Installed && except.ReqId == reqId ? 1 : 0) > 0;

    internal void ScheduleChild(ChildSa child)
    {
        var s = LifetimeSchedule.ForChild(child.Config, Random);
        var now = Clock.Now;
        child.RekeyAt = LifetimeSchedule.At(now, s.RekeyIn);
        child.ExpireAt = LifetimeSchedule.At(now, s.ExpireIn);
    }

    internal void ScheduleIke(IkeSa sa)
    {
        var s = LifetimeSchedule.ForIke(sa.Config, Random);
        var now = Clock.Now;
        sa.RekeyAt = LifetimeSchedule.At(now, s.RekeyIn);
        sa.ReauthAt = LifetimeSchedule.At(now, s.ReauthIn);
        sa.ExpireAt = LifetimeSchedule.At(now, s.ExpireIn);
    }

    internal TimeSpan RetryDelay() => RetryInterval - LifetimeSchedule.Jitter(RetryJitter, Random);

    /// <summary>The earliest lifetime event of an SA (for <see cref="NextDeadline"/>).</summary>
    private static TimeSpan LifetimeDeadline(IkeSa sa, TimeSpan now)
    {
        if (sa.State is not (IkeSaState.Established or IkeSaState.Rekeying)) return LifetimeSchedule.Never;
        var next = Earliest(sa.RekeyAt, Earliest(sa.ReauthAt, sa.ExpireAt));
        bool canRekeyChildren = CanRekeyChildren(sa);
        foreach (var c in sa.Children)
        {
            next = Earliest(next, c.ExpireAt);
            // A soft expiry that cannot start now (IKE SA rekeying) is not a wake-up: MoveToSuccessor starts it.
            if (canRekeyChildren || c.RekeyAt > now) next = Earliest(next, c.RekeyAt);
        }
        return next;
    }

    /// <summary>RFC 7296 §2.25: no CHILD_SA rekey of ours starts while the IKE SA itself is being rekeyed or replaced.</summary>
    private static bool CanRekeyChildren(IkeSa sa) => sa.State == IkeSaState.Established && sa.Successor is null;

    /// <summary>Whether this CHILD_SA may start a rekey of ours now (nothing else is replacing it).</summary>
    private static bool CanStartChildRekey(IkeSa sa, ChildSa c) =>
        c.State == ChildSaState.Installed && c.RekeyTask is null && c.PeerReplacement is null && c.OurReplacement is null
        && !ReferenceEquals(c.Replaces?.PeerReplacement, c) && CanRekeyChildren(sa);

    private static long? SecondsUntil(TimeSpan at, TimeSpan now) =>
        at == LifetimeSchedule.Never ? null : Math.Max(0, (long)Math.Ceiling((at - now).TotalSeconds));

    private static TimeSpan Earliest(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void TickLifetimes(IkeSa sa, TimeSpan now)
    {
        if (sa.State is not (IkeSaState.Established or IkeSaState.Rekeying)) return;
        if (now >= sa.ExpireAt)
        {
            sa.ExpireAt = LifetimeSchedule.Never;
            Log.Info(sa, $"IKE_SA {sa.Tag} reached its hard lifetime, deleting it");
            AbortQueued(sa, "IKE_SA expired");
            Queue(sa, InformationalTask.DeleteIkeSa(this, null));
            return;
        }
        if (sa.State == IkeSaState.Established && now >= sa.ReauthAt)
        {
            sa.ReauthAt = LifetimeSchedule.Never;
            StartReauth(sa);
        }
        if (sa.State == IkeSaState.Established && now >= sa.RekeyAt && sa.Successor is null)
        {
            sa.RekeyAt = LifetimeSchedule.Never;
            StartIkeRekey(sa);
        }
        foreach (var c in sa.Children.ToList())
        {
            if (c.State is ChildSaState.Deleting or ChildSaState.Destroying) continue;
            bool expired = now >= c.ExpireAt, soft = now >= c.RekeyAt;
            var cfg = c.Config;
            if (cfg.HasTrafficLimits && c.Installed)
            {
                Kernel.TryGetCounters(c.SpiIn, SaDirection.Inbound, out var cin);
                Kernel.TryGetCounters(c.SpiOut, SaDirection.Outbound, out var cout);
                ulong bytes = Math.Max(cin.Bytes, cout.Bytes), packets = Math.Max(cin.Packets, cout.Packets);
                expired |= (cfg.LifeBytes != 0 && bytes >= cfg.LifeBytes) || (cfg.LifePackets != 0 && packets >= cfg.LifePackets);
                soft |= (cfg.RekeyBytes != 0 && bytes >= cfg.RekeyBytes) || (cfg.RekeyPackets != 0 && packets >= cfg.RekeyPackets);
            }
            if (expired)
            {
                HardExpire(sa, c);
                continue;
            }
            if (soft) c.RekeyDue = true;
            if (soft && CanStartChildRekey(sa, c))
            {
                c.RekeyAt = LifetimeSchedule.Never;
                StartChildRekey(sa, c);
            }
        }
    }

    /// <summary>
    /// Hard expiry: the CHILD_SA is deleted. When nothing replaced it (no rekey finished or on the wire), it is
    /// created again on the same IKE SA right after the delete, as charon does ("CHILD_SA recreate after hard
    /// expire"): the peer closes it on our DELETE by its close_action, usually none, and the tunnel would stay down.
    /// </summary>
    private void HardExpire(IkeSa sa, ChildSa c)
    {
        c.ExpireAt = c.RekeyAt = LifetimeSchedule.Never;
        bool replaced = c.State is ChildSaState.Rekeyed || c.OurReplacement is not null || c.PeerReplacement is not null
            || c.RekeyTask is not null || ReferenceEquals(c.Replaces?.PeerReplacement, c);
        bool recreate = !replaced && c.State is ChildSaState.Installed or ChildSaState.Rekeying
            && sa.State is IkeSaState.Established or IkeSaState.Rekeying;
        Log.Info(sa, $"CHILD_SA {c.Config.Name}{{{c.UniqueId}}} reached its hard lifetime, deleting it{(recreate ? " and creating it again" : "")}");
        Queue(sa, InformationalTask.DeleteChildren(this, [c], null));
        if (recreate) Queue(sa, new CreateChildSaTask(this, c.Config, null) { Recreates = c });
    }

    /// <summary>
    /// Rekeys owed by CHILD_SAs that just moved to a new IKE SA (their soft lifetime passed, or the peer refused
    /// their rekey with TEMPORARY_FAILURE, while the IKE SA was being rekeyed) are due at once, not at a later retry
    /// that may come after the hard lifetime. They start on the next tick, so that as responder of the IKE SA rekey
    /// our answer leaves before the first request on the new IKE SA.
    /// </summary>
    private void ScheduleOwedChildRekeys(IkeSa successor)
    {
        var now = Clock.Now;
        foreach (var c in successor.Children)
        {
            if (!c.RekeyDue && now < c.RekeyAt) continue;
            if (c.State != ChildSaState.Installed || c.RekeyTask is not null || c.PeerReplacement is not null || c.OurReplacement is not null) continue;
            Log.Debug(successor, $"CHILD_SA {c.Config.Name}{{{c.UniqueId}}} owes a rekey, starting it on {successor.Tag}");
            c.RekeyAt = now;
        }
        Touch(successor);
    }

    private void StartChildRekey(IkeSa sa, ChildSa c)
    {
        c.RekeyDue = true;
        Log.Info(sa, $"rekeying CHILD_SA {c.Config.Name}{{{c.UniqueId}}} with SPIs {c.SpiIn:x8}_i {c.SpiOut:x8}_o");
        var task = new ChildRekeyTask(this, c);
        c.RekeyTask = task;
        Queue(sa, task);
    }

    /// <summary>
    /// The data plane says an outbound SA without ESN is near the end of its 32-bit sequence numbers (RFC 4303
    /// §3.3.3): rekey its CHILD_SA now, whatever its lifetime says. At most once per CHILD_SA and 2^32 packets, so
    /// finding it by walking the table costs nothing that matters.
    /// </summary>
    public void HandleSequenceExhaustion(SequenceExhaustionEvent exhaustion)
    {
        foreach (var sa in _sas.All)
        {
            var c = sa.Children.Find(x => x.SpiOut == exhaustion.Spi && x.ReqId == exhaustion.ReqId);
            if (c is null) continue;
            if (c.State != ChildSaState.Installed || c.RekeyTask is not null || c.OurReplacement is not null || c.PeerReplacement is not null
                || sa.State != IkeSaState.Established || sa.Successor is not null)
            {
                Log.Debug(sa, $"CHILD_SA {c.Config.Name}{{{c.UniqueId}}} nears the end of its sequence numbers; already being replaced");
                return;
            }
            Log.Info(sa, $"CHILD_SA {c.Config.Name}{{{c.UniqueId}}} has sent {exhaustion.Sequence} packets of 2^32-1 without ESN, rekeying before its sequence numbers run out");
            c.RekeyAt = LifetimeSchedule.Never;
            StartChildRekey(sa, c);
            return;
        }
        Log.Debug(null, $"sequence exhaustion for SPI {exhaustion.Spi:x8} matches no CHILD_SA, ignored");
    }

    /// <summary>Starts rekeying a CHILD_SA now (the CLI's rekey command, tests). False if it is not installed.</summary>
    public bool RekeyChild(uint childId)
    {
        foreach (var sa in _sas.All)
        {
            var c = sa.Children.Find(x => x.UniqueId == childId);
            if (c is null) continue;
            if (c.State != ChildSaState.Installed || c.RekeyTask is not null || sa.State != IkeSaState.Established) return false;
            StartChildRekey(sa, c);
            return true;
        }
        return false;
    }

    /// <summary>Starts rekeying an IKE SA now. False if it is not established or already rekeying.</summary>
    public bool RekeyIke(uint ikeSaId)
    {
        var sa = FindSa(ikeSaId);
        if (sa is null || sa.State != IkeSaState.Established || sa.RekeyTask is not null || sa.Successor is not null) return false;
        StartIkeRekey(sa);
        return true;
    }

    /// <summary>Starts a make-before-break reauthentication of an IKE SA now.</summary>
    public bool Reauthenticate(uint ikeSaId)
    {
        var sa = FindSa(ikeSaId);
        if (sa is null || sa.State != IkeSaState.Established || sa.Successor is not null) return false;
        StartReauth(sa);
        return true;
    }

    private void StartIkeRekey(IkeSa sa)
    {
        Log.Info(sa, $"rekeying IKE_SA {sa.Tag}");
        var task = new IkeRekeyTask(this);
        sa.RekeyTask = task;
        Queue(sa, task);
    }

    /// <summary>
    /// Reauthentication, make before break (strongSwan's make_before_break = yes): a new IKE SA with the
    /// same CHILD_SAs is set up from scratch; once it is up, the old one is deleted.
    /// </summary>
    private void StartReauth(IkeSa old)
    {
        var configs = new List<ChildConfig>();
        foreach (var c in old.Children)
            if (c.State is ChildSaState.Installed or ChildSaState.Rekeying && !configs.Contains(c.Config)) configs.Add(c.Config);
        if (configs.Count == 0) configs.AddRange(old.Config.Children);
        int localPort = old.Config.LocalPort == 500 ? Options.IkePort : old.Config.LocalPort;
        var remotePort = old.IsInitiator ? old.Config.RemotePort : 500;
        var sa = CreateSa(old.Config, initiator: true, new IPEndPoint(old.Local.Address, localPort), new IPEndPoint(old.Remote.Address, remotePort));
        sa.Reauthenticates = old;
        old.Successor = sa;
        Register(sa, 0);
        sa.MoveTo(IkeSaState.Connecting);
        Counters.ReauthsInitiated++;
        Log.Info(old, $"reauthenticating IKE_SA {old.Tag} as {sa.Tag} (make before break)");
        var completion = new InitiateCompletion(r => ReauthDone(old, sa, r), Math.Max(1, configs.Count));
        sa.Tasks.Enqueue(new IkeSaInitTask(this, completion));
        sa.Tasks.Enqueue(new IkeAuthTask(this, configs[0], completion));
        for (int i = 1; i < configs.Count; i++)
            sa.Tasks.Enqueue(new CreateChildSaTask(this, configs[i], completion));
        Pump(sa);
    }

    private void ReauthDone(IkeSa old, IkeSa sa, InitiateResult r)
    {
        if (!r.Success)
        {
            Log.Warn(old, $"reauthentication as {sa.Tag} failed ({r.Message}); keeping IKE_SA {old.Tag} until it expires");
            if (ReferenceEquals(old.Successor, sa)) old.Successor = null;
            if (old.State == IkeSaState.Established) old.ReauthAt = LifetimeSchedule.At(Clock.Now, RetryDelay());
            Touch(old);
            return;
        }
        sa.Reauthenticates = null;
        if (old.State is IkeSaState.Destroying or IkeSaState.Deleting) return;
        Log.Info(old, $"IKE_SA {old.Tag} reauthenticated as {sa.Tag}, deleting the old one");
        old.MoveTo(IkeSaState.Rekeyed);
        AbortQueued(old, "IKE_SA reauthenticated");
        Queue(old, InformationalTask.DeleteIkeSa(this, null));
    }

    /// <summary>A new IKE SA created by a rekey (either role): registered under its SPI, lifetimes scheduled.</summary>
    internal void AdoptRekeyed(IkeSa sa)
    {
        sa.FromRekey = true;
        Register(sa, sa.SpiI);
    }

    /// <summary>§2.18: CHILD_SAs move to the new IKE SA, as do exchanges still queued on the old one.</summary>
    internal void MoveToSuccessor(IkeSa old, IkeSa successor)
    {
        old.Successor = successor;
        Touch(old);
        Touch(successor);
        successor.Children.AddRange(old.Children);
        foreach (var c in old.Children) c.Owner = successor;
        old.Children.Clear();
        MoveVirtualIps(old, successor);
        while (old.Tasks.Count > 0)
        {
            var t = old.Tasks.Dequeue();
            if (t is IkeRekeyTask) { t.Abort(old, "IKE_SA rekeyed"); continue; }
            successor.Tasks.Enqueue(t);
        }
        Log.Info(successor, $"IKE_SA {old.Tag} rekeyed as {successor.Tag}, {successor.Children.Count} CHILD_SA(s) moved");
        ScheduleOwedChildRekeys(successor);
    }

    /// <summary>Queues the delete of the old IKE SA after a rekey (§1.3.2: the rekey initiator, or the collision winner, deletes it).</summary>
    internal void RetireRekeyed(IkeSa old)
    {
        old.MoveTo(IkeSaState.Rekeyed);
        Queue(old, InformationalTask.DeleteIkeSa(this, null));
    }
}
