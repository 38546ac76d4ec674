using System.Net;
using Petrel.DataPlane.Policy;

namespace Petrel.Ike.V2;

/// <summary>
/// Traffic selector resolution and narrowing (RFC 7296 §2.9): a responder answers with the
/// intersection of what the initiator proposed and what its own policy allows; the initiator
/// accepts a response only if it is a subset of what it proposed.
/// </summary>
internal static class TrafficSelectorNarrowing
{
    /// <summary>Turns configured selectors into concrete ones; "dynamic" becomes the IKE address (a host selector).</summary>
    public static List<TrafficSelector> Resolve(IReadOnlyList<string> configured, IPAddress ikeAddress)
    {
        var result = new List<TrafficSelector>(configured.Count);
        foreach (var text in configured)
        {
            var t = text.Trim();
            if (t.StartsWith("dynamic", StringComparison.OrdinalIgnoreCase))
            {
                // "dynamic[tcp/80]" keeps the protocol/port part.
                var suffix = t["dynamic".Length..];
                result.Add(TrafficSelector.Parse(ikeAddress + suffix));
            }
            else
            {
                result.Add(TrafficSelector.Parse(t));
            }
        }
        return result;
    }

    /// <summary>Every non-empty pairwise intersection of proposed with allowed, in the proposer's order.</summary>
    public static List<TrafficSelector> Narrow(IReadOnlyList<TrafficSelector> proposed, IReadOnlyList<TrafficSelector> allowed)
    {
        var result = new List<TrafficSelector>();
        foreach (var p in proposed)
        {
            foreach (var a in allowed)
            {
                if (TryIntersect(p, a, out var i) && !result.Contains(i))
                    result.Add(i);
            }
        }
        return result;
    }

    /// <summary>True when every selector in narrowed lies inside one of proposed (§2.9: a responder may only narrow).</summary>
    public static bool IsSubset(IReadOnlyList<TrafficSelector> narrowed, IReadOnlyList<TrafficSelector> proposed)
    {
        foreach (var n in narrowed)
        {
            bool inside = false;
            foreach (var p in proposed)
            {
                if (TryIntersect(n, p, out var i) && i == n) { inside = true; break; }
            }
            if (!inside) return false;
        }
        return true;
    }

    public static bool TryIntersect(TrafficSelector a, TrafficSelector b, out TrafficSelector result)
    {
        result = a;
        if (a.Family != b.Family) return false;
        byte proto;
        if (a.Protocol == 0) proto = b.Protocol;
        else if (b.Protocol == 0 || b.Protocol == a.Protocol) proto = a.Protocol;
        else return false;

        var start = Compare(a.Start, b.Start) >= 0 ? a.Start : b.Start;
        var end = Compare(a.End, b.End) <= 0 ? a.End : b.End;
        if (Compare(start, end) > 0) return false;

        ushort p0 = Math.Max(a.StartPort, b.StartPort);
        ushort p1 = Math.Min(a.EndPort, b.EndPort);
        if (p0 > p1)
        {
            // RFC 4301 §4.4.1.1 OPAQUE (start 65535, end 0) intersects only with ANY.
            return false;
        }
        result = new TrafficSelector(start, end, proto, p0, p1);
        return true;
    }

    private static int Compare(IPAddress a, IPAddress b)
    {
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.TryWriteBytes(x, out int n);
        b.TryWriteBytes(y, out int m);
        return x[..n].SequenceCompareTo(y[..m]);
    }

    public static string Format(IReadOnlyList<TrafficSelector> list) => list.Count == 0 ? "(none)" : string.Join(" ", list);
}
