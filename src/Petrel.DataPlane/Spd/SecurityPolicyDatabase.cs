using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Spd;

/// <summary>
/// The SPD (RFC 4301 §4.4.1): one entry per local × remote selector pair, ordered by the
/// configured priority, then strongSwan's implicit one (<see cref="PolicyPriority"/>: bypass and
/// discard first, more specific first), then install order. Writers copy the table and publish it
/// atomically; packet threads read a snapshot without locking.
/// </summary>
internal sealed class SecurityPolicyDatabase
{
    private sealed record Snapshot(PolicyEntry[] Ordered, Dictionary<uint, PolicyEntry> ByReqId);

    private readonly Lock _writeLock = new();
    private volatile Snapshot _snapshot = new([], []);
    private long _order;

    public int Count => _snapshot.ByReqId.Count;

    /// <summary>Installs or replaces (same ReqId) a policy. Returns the entry it replaced, if any.</summary>
    public PolicyEntry? Install(PolicySpec spec)
    {
        lock (_writeLock)
        {
            var old = _snapshot;
            var entry = new PolicyEntry(spec, ++_order);
            old.ByReqId.TryGetValue(spec.ReqId, out var replaced);
            var list = new List<PolicyEntry>(old.Ordered.Length + 1);
            foreach (var e in old.Ordered)
            {
                if (e.ReqId != spec.ReqId)
                    list.Add(e);
            }
            list.AddRange(entry.Pairs());
            list.Sort(static (a, b) =>
                a.Spec.Priority != b.Spec.Priority ? a.Spec.Priority.CompareTo(b.Spec.Priority)
                : a.AutoPriority != b.AutoPriority ? a.AutoPriority.CompareTo(b.AutoPriority)
                : a.Order.CompareTo(b.Order));
            var byReqId = new Dictionary<uint, PolicyEntry>(old.ByReqId) { [spec.ReqId] = entry };
            _snapshot = new Snapshot(list.ToArray(), byReqId);
            return replaced;
        }
    }

    public PolicyEntry? Remove(uint reqId)
    {
        lock (_writeLock)
        {
            var old = _snapshot;
            if (!old.ByReqId.TryGetValue(reqId, out var removed))
                return null;
            var list = new List<PolicyEntry>(old.Ordered.Length);
            foreach (var e in old.Ordered)
            {
                if (e.ReqId != reqId)
                    list.Add(e);
            }
            var byReqId = new Dictionary<uint, PolicyEntry>(old.ByReqId);
            byReqId.Remove(reqId);
            _snapshot = new Snapshot(list.ToArray(), byReqId);
            return removed;
        }
    }

    /// <summary>First policy (by priority) whose local→remote selectors match an outbound packet.</summary>
    public PolicyEntry? LookupOutbound(in PacketFlow flow, uint interfaceId = 0)
    {
        var ordered = _snapshot.Ordered;
        for (int i = 0; i < ordered.Length; i++)
        {
            // A route-based policy sees only the packets of its own interface (XFRM if_id semantics).
            if (ordered[i].Spec.InterfaceIdOut == interfaceId && ordered[i].MatchesOutbound(flow))
                return ordered[i];
        }
        return null;
    }

    public PolicyEntry? Find(uint reqId) => _snapshot.ByReqId.GetValueOrDefault(reqId);

    /// <summary>The installed policies, each once, in lookup order of their first selector pair.</summary>
    public IReadOnlyList<PolicySpec> List()
    {
        var ordered = _snapshot.Ordered;
        var seen = new HashSet<uint>();
        var result = new List<PolicySpec>(ordered.Length);
        for (int i = 0; i < ordered.Length; i++)
        {
            if (seen.Add(ordered[i].ReqId))
                result.Add(ordered[i].Spec);
        }
        return result;
    }
}
