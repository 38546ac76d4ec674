using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Petrel.DataPlane.Kernel;
using Petrel.Platform.Net;

namespace Petrel.Platform.Routing;

/// <summary>
/// Transport mode (RFC 4301 §4.1): the remote selectors are the peer itself, so a route sending
/// them into the TUN device would also capture the daemon's own IKE/ESP/AH packets to that peer.
/// Such routes go into a separate table consulted only for packets without the daemon's socket
/// mark (`ip rule add not fwmark MARK lookup TABLE`, strongSwan's table 220 trick): the host's
/// traffic to the peer enters the TUN device, the marked sockets keep using the main table.
/// </summary>
public sealed partial class RouteManager
{
    /// <summary>Table for transport-mode routes unless configured otherwise.</summary>
    public const int DefaultTransportTable = 0x5045;

    /// <summary>Priority of the rule; below the main table's 32766, above nothing strongSwan uses (220).</summary>
    public const int RulePriority = 210;

    private readonly Dictionary<AddressFamily, int> _ruleUsers = [];

    /// <summary>The daemon sockets' SO_MARK (0: transport-mode routes cannot be installed safely).</summary>
    public uint BypassMark { get; init; }

    public int TransportTable { get; init; } = DefaultTransportTable;

    /// <summary>The table routes for a transport-mode policy, or null to route it like a tunnel (no mark configured).</summary>
    private List<Route>? TransportRoutes(PolicySpec policy)
    {
        if (BypassMark == 0)
        {
            _log.LogWarning("policy reqid {ReqId}: transport mode needs a socket mark to keep the daemon's own packets out of {Device}; routing it as a tunnel",
                policy.ReqId, Device);
            return null;
        }
        var routes = new List<Route>();
        foreach (var remote in policy.RemoteTs)
        {
            var source = FindLocalSource(policy.LocalTs, remote.Family);
            foreach (var prefix in ToPrefixes(remote))
            {
                foreach (var p in SplitDefault(prefix))
                    routes.Add(new Route(p, Device, null, source, TransportTable));
            }
        }
        return routes;
    }

    /// <summary>The family's rule: `ip -4|-6 rule … not fwmark MARK lookup TABLE pref 210`.</summary>
    private FibRule BypassRule(Route r) =>
        new(r.Prefix.Contains(':') ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, BypassMark, Invert: true, TransportTable, RulePriority);

    /// <summary>Adds the family's rule with its first table route. Caller holds the lock.</summary>
    private void AcquireBypassRule(Route r)
    {
        var family = r.Prefix.Contains(':') ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        int users = _ruleUsers.GetValueOrDefault(family);
        if (users == 0)
        {
            var rule = BypassRule(r);
            // A rule left behind by a killed daemon would otherwise pile up beside the new one (or, with
            // rule add's EXCL, make it fail); its absence (ENOENT) is the normal case.
            try
            {
                _netlink.DeleteRule(rule);
            }
            catch (NetlinkException)
            {
            }
            _netlink.AddRule(rule);
            _log.LogInformation("rule {Rule}", rule.Command("add"));
        }
        _ruleUsers[family] = users + 1;
    }

    /// <summary>Removes the family's rule with its last table route. Caller holds the lock.</summary>
    private void ReleaseBypassRule(Route r)
    {
        var family = r.Prefix.Contains(':') ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        int users = _ruleUsers.GetValueOrDefault(family) - 1;
        if (users > 0)
        {
            _ruleUsers[family] = users;
            return;
        }
        _ruleUsers.Remove(family);
        try
        {
            _netlink.DeleteRule(BypassRule(r));
        }
        catch (NetlinkException e)
        {
            _log.LogWarning("removing rule: {Error}", e.Answer);
        }
    }
}
