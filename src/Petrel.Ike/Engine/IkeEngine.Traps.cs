using System.Net;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;

namespace Petrel.Ike.Engine;

/// <summary>
/// Trap policies and acquires (strongSwan's trap manager): start_action = trap installs them on Load,
/// dpd_action / close_action = trap after a peer is lost. A trap is a protect policy without SAs, ranked
/// after every CHILD_SA policy, so it only catches traffic no CHILD_SA covers; the data plane raises an
/// acquire for it (RFC 4301 §5.1), queues the packets, and sends them once a CHILD_SA matches them.
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>Trap policies rank after CHILD_SA policies (priority 0): an established SA always wins.</summary>
    internal const int TrapPriority = 1000;

    private readonly List<TrapPolicy> _traps = [];

    /// <summary>Installs trap policies for a connection's children (all, or the named one): "petrel up" on a trap connection, start_action = trap.</summary>
    public InitiateResult Route(string connection, string? child)
    {
        var config = FindConnection(connection);
        if (config is null) return new InitiateResult(false, $"no connection named '{connection}'");
        var children = config.Children.Where(c => child is null || c.Name == child).ToList();
        if (children.Count == 0) return new InitiateResult(false, $"connection '{connection}' has no child '{child}'");
        var errors = new List<string>();
        foreach (var c in children)
        {
            if (InstallTrap(config, c, temporary: false) is { } error) errors.Add(error);
            else if (_traps.Find(t => t.Connection == connection && t.Child.Name == c.Name) is { } trap) trap.Manual = true;
        }
        return errors.Count == 0
            ? new InitiateResult(true, $"installed trap polic{(children.Count == 1 ? "y" : "ies")} for {string.Join(", ", children.Select(c => $"{connection}/{c.Name}"))}")
            : new InitiateResult(false, string.Join("; ", errors));
    }

    /// <summary>Removes the trap policies of a connection's children (all, or the named one). Returns how many were removed.</summary>
    public int Unroute(string connection, string? child)
    {
        int n = 0;
        foreach (var t in _traps.Where(t => t.Connection == connection && (child is null || t.Child.Name == child)).ToList())
        {
            RemoveTrap(t);
            n++;
        }
        return n;
    }

    /// <summary>The trap policies, as list-pols shows them.</summary>
    public IReadOnlyList<TrapPolicyInfo> ListTraps() => _traps.Select(t => new TrapPolicyInfo
    {
        Connection = t.Connection,
        Child = t.Child.Name,
        ReqId = t.ReqId,
        Mode = t.Child.Mode.ToUpperInvariant(),
        LocalTs = t.LocalTs.Select(s => s.ToString()).ToList(),
        RemoteTs = t.RemoteTs.Select(s => s.ToString()).ToList(),
        State = HasInstalledChild(t.Connection, t.Child.Name) ? "active" : "trap",
        Temporary = t.Temporary,
        Acquires = t.Acquires,
    }).ToList();

    /// <summary>
    /// The data plane saw traffic for a trap policy (call on the engine's thread; the daemon posts it there).
    /// Negotiates the trap's CHILD_SA, with the packet's addresses as the first traffic selectors (RFC 7296
    /// §2.9) so a responder that narrows picks the flow that triggered it.
    /// </summary>
    public void HandleAcquire(AcquireEvent acquire)
    {
        var trap = _traps.Find(t => t.ReqId == acquire.ReqId);
        if (trap is null)
        {
            Log.Debug(null, $"acquire for reqid {acquire.ReqId} matches no trap policy, ignored");
            return;
        }
        trap.Acquires++;
        if (trap.Pending)
        {
            Log.Debug(null, $"acquire for {trap.Connection}/{trap.Child.Name} ({acquire.Source} -> {acquire.Destination}): negotiation already under way");
            return;
        }
        Log.Info(null, $"acquire for {trap.Connection}/{trap.Child.Name} reqid {trap.ReqId}: {acquire.Source} -> {acquire.Destination}, initiating");
        trap.Pending = true;
        trap.AcquireFlow = (acquire.Source, acquire.Destination);
        Initiate(trap.Connection, trap.Child.Name, r =>
        {
            trap.Pending = false;
            trap.AcquireFlow = null;
            if (!r.Success)
            {
                Log.Warn(null, $"acquire for {trap.Connection}/{trap.Child.Name} failed: {r.Message}");
                return;
            }
            if (trap.Temporary && _traps.Contains(trap))
            {
                // dpd_action/close_action traps have done their job once the CHILD_SA is back.
                Log.Info(null, $"{trap.Connection}/{trap.Child.Name} is back, removing its temporary trap policy");
                RemoveTrap(trap);
            }
        });
    }

    /// <summary>Installs (or keeps) the trap of one child. Returns an error, or null.</summary>
    internal string? InstallTrap(ConnectionConfig config, ChildConfig child, bool temporary)
    {
        var existing = _traps.Find(t => t.Connection == config.Name && t.Child.Name == child.Name);
        if (existing is not null)
        {
            // A start_action trap stays a permanent one.
            existing.Temporary &= temporary;
            existing.Child = child;
            return null;
        }
        if (child.Mode is "pass" or "drop")
            return $"{config.Name}/{child.Name}: mode {child.Mode} cannot be trapped";
        var remote = AddressMatch.FirstHost(config.RemoteAddrs);
        if (remote is null)
            return $"{config.Name}/{child.Name}: remote_addrs names no address, cannot install a trap policy";
        var local = AddressMatch.FirstHost(config.LocalAddrs) ?? Options.LocalAddressFor?.Invoke(remote);
        if (local is null)
            return $"{config.Name}/{child.Name}: no local address to reach {remote} (set local_addrs), cannot install a trap policy";
        TrapPolicy trap;
        try
        {
            trap = new TrapPolicy
            {
                Connection = config.Name,
                Child = child,
                ReqId = NewReqId(),
                LocalTs = TrafficSelectorNarrowing.Resolve(child.LocalTs, local),
                RemoteTs = TrafficSelectorNarrowing.Resolve(child.RemoteTs, remote),
                LocalAddress = local,
                RemoteAddress = remote,
                Temporary = temporary,
            };
            Kernel.InstallPolicy(new PolicySpec
            {
                ReqId = trap.ReqId, LocalTs = trap.LocalTs, RemoteTs = trap.RemoteTs, Action = PolicyAction.Protect,
                Mode = child.Mode == "transport" ? IpsecMode.Transport : IpsecMode.Tunnel,
                LocalAddress = local, RemoteAddress = remote, Priority = TrapPriority,
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"{config.Name}/{child.Name}: cannot install the trap policy: {e.Message}";
        }
        _traps.Add(trap);
        Log.Info(null, $"installed {(temporary ? "temporary " : "")}trap policy for {config.Name}/{child.Name} reqid {trap.ReqId}: {TrafficSelectorNarrowing.Format(trap.LocalTs)} === {TrafficSelectorNarrowing.Format(trap.RemoteTs)}");
        return null;
    }

    private void RemoveTrap(TrapPolicy trap)
    {
        _traps.Remove(trap);
        Kernel.RemovePolicy(trap.ReqId);
        Log.Info(null, $"removed trap policy for {trap.Connection}/{trap.Child.Name} reqid {trap.ReqId}");
    }

    /// <summary>On Load: start_action = trap children get their traps; traps of removed or changed children go.</summary>
    private void SyncTraps()
    {
        foreach (var t in _traps.ToList())
        {
            var c = FindConnection(t.Connection);
            var child = c?.Children.FirstOrDefault(x => x.Name == t.Child.Name);
            if (c is null || child is null || (!t.Temporary && !t.Manual && child.StartAction != "trap")
                || !child.LocalTs.SequenceEqual(t.Child.LocalTs) || !child.RemoteTs.SequenceEqual(t.Child.RemoteTs))
            {
                RemoveTrap(t);
                continue;
            }
            t.Child = child;
        }
        foreach (var c in _connections)
        {
            foreach (var child in c.Children)
            {
                // pass/drop children with start_action = trap are shunts (the daemon's ShuntPolicies), not traps.
                if (child.StartAction != "trap" || child.Mode is "pass" or "drop") continue;
                if (InstallTrap(c, child, temporary: false) is { } error) Log.Warn(null, error);
            }
        }
    }

    /// <summary>
    /// ChildSaNegotiation.Create as initiator: when an acquire started this negotiation, the packet's addresses
    /// go first in TSi/TSr (RFC 7296 §2.9), as strongSwan does, before the configured selectors.
    /// </summary>
    internal void AddAcquireSelectors(IkeSa sa, ChildSa child)
    {
        if (!sa.IsInitiator) return;
        var trap = _traps.Find(t => t.Connection == sa.Name && t.Child.Name == child.Config.Name && t.AcquireFlow is not null);
        if (trap?.AcquireFlow is not { } flow) return;
        var src = new TrafficSelector(flow.Source, flow.Source);
        var dst = new TrafficSelector(flow.Destination, flow.Destination);
        if (src.Family != dst.Family) return;
        child.LocalTs = [src, .. child.LocalTs];
        child.RemoteTs = [dst, .. child.RemoteTs];
    }

    private bool HasInstalledChild(string connection, string child)
    {
        foreach (var sa in _sas.OfConnection(connection))
        {
            if (sa.State == IkeSaState.Destroying) continue;
            foreach (var c in sa.Children)
                if (c.Config.Name == child && c.State == ChildSaState.Installed) return true;
        }
        return false;
    }
}
