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

    [Fact]
    public void Finds_a_host_address_inside_the_local_selector()
    {
        // Every host has 127.0.0.1 on lo.
        var found = RouteManager.FindLocalSource([TrafficSelector.Parse("127.0.0.0/8")], System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.Equal(System.Net.IPAddress.Loopback, found);
        Assert.Null(RouteManager.FindLocalSource([TrafficSelector.Parse("255.255.255.254/32")], System.Net.Sockets.AddressFamily.InterNetwork));
    }
}
