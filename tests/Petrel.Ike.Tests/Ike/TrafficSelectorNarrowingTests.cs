using System.Net;
using Petrel.DataPlane.Policy;
using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

public class TrafficSelectorNarrowingTests
{
    private static List<TrafficSelector> Ts(params string[] s) => s.Select(TrafficSelector.Parse).ToList();

    [Fact]
    public void Responder_narrows_a_wide_proposal_to_its_subnet()
    {
        var narrowed = TrafficSelectorNarrowing.Narrow(Ts("10.0.0.0/8"), Ts("10.1.0.0/24"));
        Assert.Equal(["10.1.0.0/24"], narrowed.Select(t => t.ToString()));
    }

    [Fact]
    public void Disjoint_selectors_narrow_to_nothing()
    {
        Assert.Empty(TrafficSelectorNarrowing.Narrow(Ts("10.1.0.0/24"), Ts("10.2.0.0/24")));
        Assert.Empty(TrafficSelectorNarrowing.Narrow(Ts("10.1.0.0/24"), Ts("2001:db8::/64")));
    }

    [Fact]
    public void Protocol_and_ports_intersect()
    {
        var narrowed = TrafficSelectorNarrowing.Narrow(Ts("10.1.0.0/16"), Ts("10.1.2.0/24[tcp/80]"));
        Assert.Equal(["10.1.2.0/24[tcp/80]"], narrowed.Select(t => t.ToString()));
        Assert.Empty(TrafficSelectorNarrowing.Narrow(Ts("10.1.0.0/16[udp]"), Ts("10.1.2.0/24[tcp/80]")));
    }

    [Fact]
    public void Dynamic_resolves_to_the_ike_address_keeping_protocol()
    {
        var r = TrafficSelectorNarrowing.Resolve(["dynamic", "dynamic[udp/500]", "10.9.0.0/16"], IPAddress.Parse("192.0.2.7"));
        Assert.Equal(["192.0.2.7/32", "192.0.2.7/32[udp/500]", "10.9.0.0/16"], r.Select(t => t.ToString()));
    }

    [Fact]
    public void Subset_check_rejects_a_widened_response()
    {
        Assert.True(TrafficSelectorNarrowing.IsSubset(Ts("10.1.0.0/25"), Ts("10.1.0.0/24")));
        Assert.False(TrafficSelectorNarrowing.IsSubset(Ts("10.1.0.0/23"), Ts("10.1.0.0/24")));
    }
}
