using Petrel.DataPlane.Policy;
using Petrel.Platform.Routing;

namespace Petrel.DataPlane.Tests.Platform;

public class RouteManagerTests
{
    [Theory]
    [InlineData("10.2.0.0/24", "10.2.0.0/24")]
    [InlineData("10.2.0.7", "10.2.0.7/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("10.0.0.1-10.0.0.6", "10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32")]
    [InlineData("10.0.0.0-10.0.1.255", "10.0.0.0/23")]
    [InlineData("2001:db8:2::/64", "2001:db8:2::/64")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1-2001:db8::3", "2001:db8::1/128 2001:db8::2/127")]
    public void Address_ranges_become_the_fewest_covering_prefixes(string selector, string expected)
    {
        Assert.Equal(expected.Split(' '), RouteManager.ToPrefixes(TrafficSelector.Parse(selector)));
    }

    [Theory]
    [InlineData("0.0.0.0/0", "0.0.0.0/1 128.0.0.0/1")]
    [InlineData("::/0", "::/1 8000::/1")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    public void Default_prefix_is_split_so_the_default_route_survives(string prefix, string expected)
    {
        Assert.Equal(expected.Split(' '), RouteManager.SplitDefault(prefix));
    }

    [Fact]
    public void Parses_the_current_path_to_the_peer()
    {
        var peer = System.Net.IPAddress.Parse("192.0.2.7");
        var viaGateway = RouteManager.ParseRouteGet(peer, "192.0.2.7 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0 \\    cache \n");
        Assert.NotNull(viaGateway);
        Assert.Equal("192.0.2.7/32 via 10.0.0.1 dev eth0", viaGateway.ToString());
        var onLink = RouteManager.ParseRouteGet(peer, "192.0.2.7 dev veth1 src 192.0.2.1 uid 0 \\    cache \n");
        Assert.Equal("192.0.2.7/32 dev veth1", onLink!.ToString());
        var v6 = RouteManager.ParseRouteGet(System.Net.IPAddress.Parse("2001:db8::9"), "2001:db8::9 from :: via fe80::1 dev eth0 proto ra src 2001:db8::2 metric 100 pref medium");
        Assert.Equal("2001:db8::9/128 via fe80::1 dev eth0", v6!.ToString());
        Assert.Null(RouteManager.ParseRouteGet(peer, "RTNETLINK answers: Network is unreachable"));
    }

    [Fact]
    public void Finds_a_host_address_inside_the_local_selector()
    {
        var v4 = System.Net.Sockets.AddressFamily.InterNetwork;
        var v6 = System.Net.Sockets.AddressFamily.InterNetworkV6;
        System.Net.IPAddress[] host = [.. new[] { "127.0.0.1", "198.18.0.1", "fe80::1", "10.1.0.1", "10.1.0.2", "2001:db8:1::1" }.Select(System.Net.IPAddress.Parse)];
        // The first address in the host's order that a selector covers.
        Assert.Equal(System.Net.IPAddress.Parse("10.1.0.1"), RouteManager.PickLocalSource([TrafficSelector.Parse("10.1.0.0/24")], v4, host));
        Assert.Equal(System.Net.IPAddress.Parse("10.1.0.2"), RouteManager.PickLocalSource([TrafficSelector.Parse("10.1.0.2-10.1.0.9")], v4, host));
        Assert.Equal(System.Net.IPAddress.Loopback, RouteManager.PickLocalSource([TrafficSelector.Parse("10.1.0.0/24"), TrafficSelector.Parse("127.0.0.0/8")], v4, host));
        Assert.Null(RouteManager.PickLocalSource([TrafficSelector.Parse("255.255.255.254/32")], v4, host));
        // IPv6 link-local addresses are never a source, even inside ::/0.
        Assert.Equal(System.Net.IPAddress.Parse("2001:db8:1::1"), RouteManager.PickLocalSource([TrafficSelector.Parse("::/0")], v6, host));
        Assert.Null(RouteManager.PickLocalSource([TrafficSelector.Parse("10.1.0.0/24")], v6, host));
    }

    [Fact]
    public void Disposing_closes_the_netlink_socket()
    {
        var manager = new RouteManager("lo");
        Assert.False(manager.IsClosed);
        manager.Dispose();
        Assert.True(manager.IsClosed);
    }
}
