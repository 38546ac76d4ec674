using System.Net;
using System.Net.Sockets;
using Petrel.Platform.Net;
using Petrel.Platform.Routing;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Platform;

/// <summary>
/// <see cref="RtNetlink"/> against the kernel in a throwaway namespace, checked with ip(8) as the
/// independent tool: a route or rule written over netlink must look exactly like the one
/// `ip route replace` / `ip rule add` writes with the same arguments, and every failure must carry
/// the answer ip(8) prints for the same request. Left namespace: eth0 198.18.0.1/24,
/// 2001:db8:18::1/64 (peer .2 / ::2), lan0 10.1.0.1/24, 2001:db8:1::1/64, no default route.
/// </summary>
public sealed class RtNetlinkTests(RtNetlinkLab lab) : IClassFixture<RtNetlinkLab>
{
    private const int Table = RouteManager.DefaultTransportTable;

    public static TheoryData<string, string?, string, string?, int> Routes => new()
    {
        { "10.9.0.0/24", null, "lan0", "10.1.0.1", 0 },
        { "192.0.2.7/32", "198.18.0.2", "eth0", null, 0 },
        { "0.0.0.0/1", null, "lan0", "10.1.0.1", 0 },
        { "10.9.1.0/24", null, "lan0", "10.1.0.1", Table },
        { "2001:db8:9::/64", null, "lan0", "2001:db8:1::1", 0 },
        { "2001:db8:7::7/128", "2001:db8:18::2", "eth0", null, 0 },
        { "2001:db8:9:1::/64", null, "lan0", "2001:db8:1::1", Table },
    };

    [RootTheory]
    [MemberData(nameof(Routes))]
    public void A_route_written_over_netlink_is_the_one_ip_route_replace_writes(string prefix, string? via, string dev, string? src, int table)
    {
        var network = IPNetwork.Parse(prefix);
        var gateway = via is null ? null : IPAddress.Parse(via);
        var source = src is null ? null : IPAddress.Parse(src);
        string[] args = [prefix, .. via is null ? Array.Empty<string>() : ["via", via], "dev", dev,
            .. src is null ? Array.Empty<string>() : ["src", src], .. table == 0 ? Array.Empty<string>() : ["table", table.ToString()]];

        lab.Ip(["route", "replace", .. args]).EnsureSuccess();
        string byIp = Show(prefix, table);
        lab.Ip(["route", "del", .. args]).EnsureSuccess();
        Assert.Equal("", Show(prefix, table));

        lab.Netlink.ReplaceRoute(network, dev, gateway, source, table);
        string byNetlink = Show(prefix, table);
        Assert.Contains($"dev {dev}", byNetlink);
        Assert.Contains("proto boot", byNetlink);
        Assert.Equal(byIp, byNetlink);
        Assert.Equal(table == 0, lab.Netlink.HasRoute(network, 0));
        Assert.Equal(table != 0, lab.Netlink.HasRoute(network, Table));

        // Replacing an existing route succeeds and leaves one route.
        lab.Netlink.ReplaceRoute(network, dev, gateway, source, table);
        Assert.Equal(byIp, Show(prefix, table));

        lab.Netlink.DeleteRoute(network, dev, table);
        Assert.Equal("", Show(prefix, table));
        Assert.False(lab.Netlink.HasRoute(network, table));

        // Deleting it again fails like `ip route del` does (ESRCH), with ip's wording.
        var missing = Assert.Throws<NetlinkException>(() => lab.Netlink.DeleteRoute(network, dev, table));
        var ipMissing = lab.Ip(["route", "del", prefix, "dev", dev, .. table == 0 ? Array.Empty<string>() : ["table", table.ToString()]]);
        Assert.NotEqual(0, ipMissing.ExitCode);
        Assert.Equal(ipMissing.StandardError.Trim(), missing.Answer);
        Assert.Equal(3, missing.Errno);
        Assert.Contains(prefix, missing.Message);
    }

    [RootFact]
    public void Replace_changes_the_source_of_an_existing_route()
    {
        var network = IPNetwork.Parse("10.9.2.0/24");
        lab.Netlink.ReplaceRoute(network, "lan0", null, IPAddress.Parse("10.1.0.1"), 0);
        lab.Ip("addr", "add", "10.1.0.2/24", "dev", "lan0").EnsureSuccess();
        try
        {
            lab.Netlink.ReplaceRoute(network, "lan0", null, IPAddress.Parse("10.1.0.2"), 0);
            Assert.Equal("unicast 10.9.2.0/24 dev lan0 proto boot scope link src 10.1.0.2", Show("10.9.2.0/24", 0));
        }
        finally
        {
            lab.Netlink.DeleteRoute(network, "lan0", 0);
            lab.Ip("addr", "del", "10.1.0.2/24", "dev", "lan0").EnsureSuccess();
        }
    }

    [RootFact]
    public void Show_exact_finds_connected_routes_and_only_exact_prefixes()
    {
        Assert.True(lab.Netlink.HasRoute(IPNetwork.Parse("198.18.0.0/24"), 0));
        Assert.True(lab.Netlink.HasRoute(IPNetwork.Parse("2001:db8:18::/64"), 0));
        Assert.False(lab.Netlink.HasRoute(IPNetwork.Parse("198.18.0.0/25"), 0));
        Assert.False(lab.Netlink.HasRoute(IPNetwork.Parse("198.18.0.0/23"), 0));
        Assert.False(lab.Netlink.HasRoute(IPNetwork.Parse("0.0.0.0/0"), 0));
        // The local table's entries (ip route show exact looks at main only).
        Assert.False(lab.Netlink.HasRoute(IPNetwork.Parse("198.18.0.1/32"), 0));
    }

    [RootTheory]
    [InlineData("198.18.0.2")]
    [InlineData("10.1.0.77")]
    [InlineData("192.0.2.99")]
    [InlineData("2001:db8:18::2")]
    [InlineData("2001:db8:7::99")]
    [InlineData("198.18.0.1")]
    public void Route_get_answers_what_ip_route_get_prints(string address)
    {
        // Routes through a gateway, so "via" is exercised in both families.
        lab.Ip("route", "replace", "192.0.2.0/24", "via", "198.18.0.2", "dev", "eth0").EnsureSuccess();
        lab.Ip("-6", "route", "replace", "2001:db8:7::/64", "via", "2001:db8:18::2", "dev", "eth0").EnsureSuccess();
        var peer = IPAddress.Parse(address);
        var text = lab.Ip("-o", "route", "get", address).EnsureSuccess().StandardOutput;
        var byIp = RouteManager.ParseRouteGet(peer, text)!;

        var found = lab.Netlink.GetRoute(peer);
        Assert.Equal(byIp.ToString(), RouteManager.FromLookup(peer, found).ToString());
        Assert.Equal(SourceIn(text), found.PreferredSource);
        Assert.Equal(int.Parse(lab.Ip("-o", "link", "show", found.Device).EnsureSuccess().StandardOutput.Split(':')[0]), found.DeviceIndex);
    }

    [RootTheory]
    [InlineData("203.0.113.1")]
    [InlineData("2001:db8:dead::1")]
    public void Route_get_of_an_unreachable_address_fails_like_ip(string address)
    {
        var ip = lab.Ip("-o", "route", "get", address);
        Assert.NotEqual(0, ip.ExitCode);
        var e = Assert.Throws<NetlinkException>(() => lab.Netlink.GetRoute(IPAddress.Parse(address)));
        Assert.Equal(ip.StandardError.Trim(), e.Answer);
    }

    [RootTheory]
    [InlineData(AddressFamily.InterNetwork, "-4")]
    [InlineData(AddressFamily.InterNetworkV6, "-6")]
    public void A_rule_written_over_netlink_is_the_one_ip_rule_add_writes(AddressFamily family, string flag)
    {
        var rule = new FibRule(family, 0x5045, Invert: true, Table, RouteManager.RulePriority);
        string[] args = ["not", "fwmark", "0x5045", "lookup", Table.ToString(), "pref", RouteManager.RulePriority.ToString()];
        lab.Ip([flag, "rule", "add", .. args]).EnsureSuccess();
        string byIp = Rules(flag);
        Assert.Contains("not from all fwmark 0x5045 lookup 20549", byIp);
        lab.Ip([flag, "rule", "del", .. args]).EnsureSuccess();
        Assert.Equal("", Rules(flag));

        lab.Netlink.AddRule(rule);
        Assert.Equal(byIp, Rules(flag));

        // rule add is exclusive like ip's: the same rule twice is EEXIST with ip's wording.
        var twice = Assert.Throws<NetlinkException>(() => lab.Netlink.AddRule(rule));
        var ipTwice = lab.Ip([flag, "rule", "add", .. args]);
        Assert.Equal(ipTwice.StandardError.Trim(), twice.Answer);
        Assert.Equal(17, twice.Errno);
        Assert.Equal(byIp, Rules(flag));

        lab.Netlink.DeleteRule(rule);
        Assert.Equal("", Rules(flag));
        var missing = Assert.Throws<NetlinkException>(() => lab.Netlink.DeleteRule(rule));
        var ipMissing = lab.Ip([flag, "rule", "del", .. args]);
        Assert.NotEqual(0, ipMissing.ExitCode);
        Assert.Equal(ipMissing.StandardError.Trim(), missing.Answer);
        Assert.Equal(2, missing.Errno);
    }

    [RootTheory]
    [InlineData(AddressFamily.InterNetwork, "-4")]
    [InlineData(AddressFamily.InterNetworkV6, "-6")]
    public void Addresses_are_the_ones_ip_addr_show_lists_in_its_order(AddressFamily family, string flag)
    {
        lab.Ip("addr", "add", "10.1.0.9/32", "dev", "lan0").EnsureSuccess();
        try
        {
            var byIp = lab.Ip("-o", flag, "addr", "show").EnsureSuccess().StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(t => IPAddress.Parse(t[Array.IndexOf(t, family == AddressFamily.InterNetwork ? "inet" : "inet6") + 1].Split('/')[0]))
                .ToList();
            Assert.Contains(IPAddress.Parse(family == AddressFamily.InterNetwork ? "10.1.0.1" : "2001:db8:1::1"), byIp);
            Assert.Equal(byIp, lab.Netlink.Addresses(family));
        }
        finally
        {
            lab.Ip("addr", "del", "10.1.0.9/32", "dev", "lan0").EnsureSuccess();
        }
    }

    [RootFact]
    public void A_missing_device_fails_like_ip()
    {
        var ip = lab.Ip("route", "replace", "10.9.3.0/24", "dev", "nosuch0");
        Assert.NotEqual(0, ip.ExitCode);
        var e = Assert.Throws<NetlinkException>(() => lab.Netlink.ReplaceRoute(IPNetwork.Parse("10.9.3.0/24"), "nosuch0", null, null, 0));
        Assert.Equal(ip.StandardError.Trim(), e.Answer);
        Assert.Equal(lab.Ip("-o", "link", "show", "lan0").EnsureSuccess().StandardOutput.Split(':')[0], lab.Netlink.LinkIndex("lan0").ToString());
    }

    private string Show(string prefix, int table)
    {
        string[] args = ["route", "show", "exact", prefix, .. table == 0 ? Array.Empty<string>() : ["table", table.ToString()]];
        // -d prints the type and protocol too (unicast … proto boot), so those are compared as well.
        return lab.Ip([prefix.Contains(':') ? "-6" : "-4", "-d", .. args]).EnsureSuccess().StandardOutput.Trim();
    }

    private string Rules(string flag) =>
        lab.Ip(flag, "rule", "show", "pref", RouteManager.RulePriority.ToString()).EnsureSuccess().StandardOutput.Trim();

    private static IPAddress? SourceIn(string routeGet)
    {
        var tokens = routeGet.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        int i = Array.IndexOf(tokens, "src");
        return i >= 0 && i + 1 < tokens.Length ? IPAddress.Parse(tokens[i + 1]) : null;
    }
}
