using System.Net.Sockets;
using System.Collections.Concurrent;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Spd;

/// <summary>
/// The SPD (RFC 4301 §4.4.1): one entry per local × remote selector pair, ordered by the configured priority, then
/// strongSwan's implicit one (<see cref="PolicyPriority"/>: bypass and discard first, more specific first), then
/// install order. Entries are indexed by their remote selector, the side an outbound packet's destination falls in:
/// a remote selector that is a CIDR block goes in the bin of its family and prefix length, under its network address,
/// and any other range in a short list scanned in full. A lookup masks the destination once per prefix length in use
/// and scans only the entries under that network, so installing, removing and looking up cost the same with ten
/// policies or a hundred thousand (a gateway's CHILD_SAs mostly differ in their remote /32). Writers serialize on a
/// lock; packet threads read without one (each bin's entries are an array replaced whole, never changed in place).
/// A replacement (same ReqId) adds the new pairs before it takes out the old ones, so a concurrent lookup sees one
/// or the other, or both for a moment.
/// </summary>
internal sealed class SecurityPolicyDatabase
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<uint, Installed> _byReqId = new();
    private volatile PrefixBin[] _bins = [];
    private volatile PolicyEntry[] _ranges = [];
    private long _order;

    private sealed record Installed(PolicyEntry Entry, PolicyEntry[] Pairs);

    /// <summary>The entries whose remote selector is one CIDR block of one family and prefix length.</summary>
    private sealed class PrefixBin(AddressFamily family, int prefix)
    {
        public AddressFamily Family { get; } = family;
        public int Prefix { get; } = prefix;
        public UInt128 Mask { get; } = MaskOf(family, prefix);
        /// <summary>Network address → its entries in lookup order.</summary>
        public ConcurrentDictionary<UInt128, PolicyEntry[]> Networks { get; } = new();
    }

    public int Count => _byReqId.Count;

    /// <summary>Installs or replaces (same ReqId) a policy. Returns the entry it replaced, if any.</summary>
    public PolicyEntry? Install(PolicySpec spec)
    {
        lock (_writeLock)
        {
            var entry = new PolicyEntry(spec, ++_order);
            var pairs = entry.Pairs().ToArray();
            _byReqId.TryGetValue(spec.ReqId, out var replaced);
            foreach (var pair in pairs)
                Add(pair);
            if (replaced is not null)
            {
                foreach (var pair in replaced.Pairs)
                    Take(pair);
            }
            _byReqId[spec.ReqId] = new Installed(entry, pairs);
            return replaced?.Entry;
        }
    }

    public PolicyEntry? Remove(uint reqId)
    {
        lock (_writeLock)
        {
            if (!_byReqId.TryRemove(reqId, out var removed))
                return null;
            foreach (var pair in removed.Pairs)
                Take(pair);
            return removed.Entry;
        }
    }

    /// <summary>Lookup order: configured priority, then strongSwan's implicit one, then install order.</summary>
    private static int Compare(PolicyEntry a, PolicyEntry b) =>
        a.Spec.Priority != b.Spec.Priority ? a.Spec.Priority.CompareTo(b.Spec.Priority)
        : a.AutoPriority != b.AutoPriority ? a.AutoPriority.CompareTo(b.AutoPriority)
        : a.Order.CompareTo(b.Order);

    /// <summary>First policy (by priority) whose local→remote selectors match an outbound packet.</summary>
    public PolicyEntry? LookupOutbound(in PacketFlow flow, uint interfaceId = 0)
    {
        PolicyEntry? best = null;
        var bins = _bins;
        for (int b = 0; b < bins.Length; b++)
        {
            var bin = bins[b];
            if (bin.Family != flow.Family || !bin.Networks.TryGetValue(flow.Destination & bin.Mask, out var entries))
                continue;
            best = FirstMatch(entries, flow, interfaceId, best);
        }
        return FirstMatch(_ranges, flow, interfaceId, best);
    }

    /// <summary>The first entry of <paramref name="ordered"/> that matches and comes before <paramref name="best"/>, else <paramref name="best"/>.</summary>
    private static PolicyEntry? FirstMatch(PolicyEntry[] ordered, in PacketFlow flow, uint interfaceId, PolicyEntry? best)
    {
        for (int i = 0; i < ordered.Length; i++)
        {
            var e = ordered[i];
            if (best is not null && Compare(e, best) >= 0)
                break;
            // A route-based policy sees only the packets of its own interface (XFRM if_id semantics).
            if (e.Spec.InterfaceIdOut == interfaceId && e.MatchesOutbound(flow))
                return e;
        }
        return best;
    }

    public PolicyEntry? Find(uint reqId) => _byReqId.TryGetValue(reqId, out var installed) ? installed.Entry : null;

    /// <summary>
    /// The installed policies, each once, in lookup order of their first selector pair; after them any whose local and
    /// remote selectors share no address family (they have no pair and match nothing).
    /// </summary>
    public IReadOnlyList<PolicySpec> List()
    {
        var firsts = new List<PolicyEntry>(_byReqId.Count);
        var pairless = new List<PolicyEntry>();
        foreach (var installed in _byReqId.Values)
        {
            PolicyEntry? first = null;
            foreach (var pair in installed.Pairs)
            {
                if (first is null || Compare(pair, first) < 0)
                    first = pair;
            }
            if (first is not null)
                firsts.Add(first);
            else
                pairless.Add(installed.Entry);
        }
        firsts.Sort(Compare);
        pairless.Sort(Compare);
        return [.. firsts.Select(e => e.Spec), .. pairless.Select(e => e.Spec)];
    }

    private void Add(PolicyEntry pair)
    {
        var remote = pair.Remote[0];
        if (CidrPrefix(remote) is not int prefix)
        {
            _ranges = Inserted(_ranges, pair);
            return;
        }
        var bin = BinFor(remote.Family, prefix);
        bin.Networks[remote.Start] = Inserted(bin.Networks.GetValueOrDefault(remote.Start) ?? [], pair);
    }

    private void Take(PolicyEntry pair)
    {
        var remote = pair.Remote[0];
        if (CidrPrefix(remote) is not int prefix)
        {
            _ranges = Without(_ranges, pair);
            return;
        }
        var bin = BinFor(remote.Family, prefix);
        if (!bin.Networks.TryGetValue(remote.Start, out var entries))
            return;
        var left = Without(entries, pair);
        if (left.Length == 0)
            bin.Networks.TryRemove(remote.Start, out _);
        else
            bin.Networks[remote.Start] = left;
    }

    /// <summary>The bin for a family and prefix length, made on first use (bins stay: at most 33 + 129 of them).</summary>
    private PrefixBin BinFor(AddressFamily family, int prefix)
    {
        var bins = _bins;
        foreach (var bin in bins)
        {
            if (bin.Family == family && bin.Prefix == prefix)
                return bin;
        }
        var made = new PrefixBin(family, prefix);
        _bins = [.. bins, made];
        return made;
    }

    /// <summary>A copy of <paramref name="ordered"/> with <paramref name="pair"/> after every entry that does not come after it.</summary>
    private static PolicyEntry[] Inserted(PolicyEntry[] ordered, PolicyEntry pair)
    {
        int at = ordered.Length;
        while (at > 0 && Compare(ordered[at - 1], pair) > 0)
            at--;
        var result = new PolicyEntry[ordered.Length + 1];
        Array.Copy(ordered, result, at);
        result[at] = pair;
        Array.Copy(ordered, at, result, at + 1, ordered.Length - at);
        return result;
    }

    private static PolicyEntry[] Without(PolicyEntry[] ordered, PolicyEntry pair)
    {
        int at = Array.IndexOf(ordered, pair);
        if (at < 0)
            return ordered;
        var result = new PolicyEntry[ordered.Length - 1];
        Array.Copy(ordered, result, at);
        Array.Copy(ordered, at + 1, result, at, ordered.Length - at - 1);
        return result;
    }

    /// <summary>The prefix length when the selector's address range is exactly one CIDR block, else null.</summary>
    private static int? CidrPrefix(in SelectorRange range)
    {
        int prefix = PolicyPriority.PrefixLength(range);
        var mask = MaskOf(range.Family, prefix);
        return (range.Start & mask) == range.Start && (range.Start | ~mask & HostBits(range.Family)) == range.End ? prefix : null;
    }

    private static UInt128 HostBits(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? uint.MaxValue : UInt128.MaxValue;

    private static UInt128 MaskOf(AddressFamily family, int prefix)
    {
        int bits = family == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix <= 0)
            return UInt128.Zero;
        return HostBits(family) & ~((UInt128.One << (bits - prefix)) - 1);
    }
}
