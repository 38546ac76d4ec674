using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Spd;

/// <summary>
/// The SPD (RFC 4301 §4.4.1): one entry per local × remote selector pair, ordered by the
/// configured priority, then strongSwan's implicit one (<see cref="PolicyPriority"/>: bypass and
/// discard first, more specific first), then install order. Writers copy the table in one pass and publish
/// it atomically; packet threads read a snapshot without locking. (Was a copy, a sort and a dictionary copy per
/// install: quadratic in the number of CHILD_SAs a gateway sets up.)
/// </summary>
internal sealed class SecurityPolicyDatabase
{
    private readonly Lock _writeLock = new();
    private volatile PolicyEntry[] _ordered = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<uint, PolicyEntry> _byReqId = new();
    private long _order;

    public int Count => _byReqId.Count;

    /// <summary>
    /// Installs or replaces (same ReqId) a policy. Returns the entry it replaced, if any. One pass over the table: the
    /// new selector pairs have the highest install order, so each goes after every pair of equal or higher priority
    /// (a binary search in the sorted table), and the replaced policy's pairs are left out of the copy.
    /// </summary>
    public PolicyEntry? Install(PolicySpec spec)
    {
        lock (_writeLock)
        {
            var old = _ordered;
            var entry = new PolicyEntry(spec, ++_order);
            _byReqId.TryGetValue(spec.ReqId, out var replaced);
            var pairs = entry.Pairs().ToArray();
            Array.Sort(pairs, Compare);
            int kept = old.Length;
            if (replaced is not null)
                foreach (var e in old)
                    if (e.ReqId == spec.ReqId) kept--;
            var result = new PolicyEntry[kept + pairs.Length];
            int n = 0, p = 0;
            foreach (var e in old)
            {
                if (e.ReqId == spec.ReqId) continue;
                while (p < pairs.Length && Compare(pairs[p], e) < 0) result[n++] = pairs[p++];
                result[n++] = e;
            }
            while (p < pairs.Length) result[n++] = pairs[p++];
            _byReqId[spec.ReqId] = entry;
            _ordered = result;
            return replaced;
        }
    }

    /// <summary>Lookup order: configured priority, then strongSwan's implicit one, then install order.</summary>
    private static int Compare(PolicyEntry a, PolicyEntry b) =>
        a.Spec.Priority != b.Spec.Priority ? a.Spec.Priority.CompareTo(b.Spec.Priority)
        : a.AutoPriority != b.AutoPriority ? a.AutoPriority.CompareTo(b.AutoPriority)
        : a.Order.CompareTo(b.Order);

    public PolicyEntry? Remove(uint reqId)
    {
        lock (_writeLock)
        {
            if (!_byReqId.TryRemove(reqId, out var removed))
                return null;
            var old = _ordered;
            var list = new List<PolicyEntry>(old.Length);
            foreach (var e in old)
            {
                if (e.ReqId != reqId)
                    list.Add(e);
            }
            _ordered = list.ToArray();
            return removed;
        }
    }

    /// <summary>First policy (by priority) whose local→remote selectors match an outbound packet.</summary>
    public PolicyEntry? LookupOutbound(in PacketFlow flow, uint interfaceId = 0)
    {
        var ordered = _ordered;
        for (int i = 0; i < ordered.Length; i++)
        {
            // A route-based policy sees only the packets of its own interface (XFRM if_id semantics).
            if (ordered[i].Spec.InterfaceIdOut == interfaceId && ordered[i].MatchesOutbound(flow))
                return ordered[i];
        }
        return null;
    }

    public PolicyEntry? Find(uint reqId) => _byReqId.GetValueOrDefault(reqId);

    /// <summary>The installed policies, each once, in lookup order of their first selector pair.</summary>
    public IReadOnlyList<PolicySpec> List()
    {
        var ordered = _ordered;
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
