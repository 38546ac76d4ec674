using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Policy;

namespace Petrel.Ike.V2;

/// <summary>
/// What "dynamic" in local_ts / remote_ts stands for once virtual IPs are in play (strongSwan's rule):
/// a side with virtual IPs uses them instead of its IKE address; an initiator that still waits for its
/// virtual IP (vips = 0.0.0.0 / ::) proposes the whole family (0.0.0.0/0, ::/0) and the responder narrows
/// it to the address it assigned.
/// </summary>
internal static class VirtualIpSelectors
{
    public static List<TrafficSelector> Local(IkeSa sa, IReadOnlyList<string> configured)
    {
        if (sa.OwnVips.Count > 0)
            return Resolve(configured, sa.OwnVips.Select(v => v.ToString()));
        if (sa.IsInitiator && sa.Config.Vips.Count > 0)
            return Resolve(configured, sa.Config.Vips.Select(v => v.AddressFamily == AddressFamily.InterNetwork ? "0.0.0.0/0" : "::/0"));
        return TrafficSelectorNarrowing.Resolve(configured, sa.Local.Address);
    }

    public static List<TrafficSelector> Remote(IkeSa sa, IReadOnlyList<string> configured) =>
        sa.PeerVips.Count > 0
            ? Resolve(configured, sa.PeerVips.Select(v => v.Address.ToString()))
            : TrafficSelectorNarrowing.Resolve(configured, sa.Remote.Address);

    private static List<TrafficSelector> Resolve(IReadOnlyList<string> configured, IEnumerable<string> dynamic)
    {
        var result = new List<TrafficSelector>();
        var addresses = dynamic.ToList();
        foreach (var text in configured)
        {
            var t = text.Trim();
            if (!t.StartsWith("dynamic", StringComparison.OrdinalIgnoreCase))
            {
                result.Add(TrafficSelector.Parse(t));
                continue;
            }
            // "dynamic[tcp/80]" keeps the protocol/port part.
            var suffix = t["dynamic".Length..];
            foreach (var a in addresses)
                result.Add(TrafficSelector.Parse(a + suffix));
        }
        return result;
    }
}
