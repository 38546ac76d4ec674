using System.Net;
using Petrel.DataPlane.Policy;

namespace Petrel.Ike.Config;

/// <summary>
/// Matches an IKE address against swanctl local_addrs/remote_addrs entries (address, CIDR subnet,
/// range, "%any"), scoring like strongSwan's ike_cfg match: exact host 3, subnet/range 2, any 1, none 0.
/// </summary>
internal static class AddressMatch
{
    public const int None = 0, Any = 1, Range = 2, Exact = 3;

    public static int Score(IReadOnlyList<string> configured, IPAddress address)
    {
        if (configured.Count == 0) return Any;
        int best = None;
        foreach (var entry in configured)
        {
            int s = ScoreOne(entry.Trim(), address);
            if (s > best) best = s;
        }
        return best;
    }

    private static int ScoreOne(string entry, IPAddress address)
    {
        if (entry is "%any" or "%any4" or "%any6" or "0.0.0.0/0" or "::/0" or "")
        {
            if (entry == "%any4" && address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return None;
            if (entry == "%any6" && address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return None;
            return Any;
        }
        if (IPAddress.TryParse(entry, out var single))
            return single.Equals(address) ? Exact : None;
        try
        {
            var ts = TrafficSelector.Parse(entry);
            var host = new TrafficSelector(address, address);
            return TrafficSelectorNarrowing.TryIntersect(host, ts, out _) ? Range : None;
        }
        catch (FormatException)
        {
            // A hostname: the daemon resolves names before loading; unresolved names match nothing here.
            return None;
        }
    }

    /// <summary>The first configured single address, the address an initiator sends to.</summary>
    public static IPAddress? FirstHost(IReadOnlyList<string> configured)
    {
        foreach (var entry in configured)
            if (IPAddress.TryParse(entry.Trim(), out var a)) return a;
        return null;
    }
}
