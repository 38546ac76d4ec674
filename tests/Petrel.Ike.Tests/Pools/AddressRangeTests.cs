using System.Net;
using Petrel.Ike.Pools;

namespace Petrel.Ike.Tests.Pools;

public class AddressRangeTests
{
    [Theory]
    [InlineData("10.3.0.0/24", "10.3.0.1", "10.3.0.254", 254)]       // network and broadcast left out
    [InlineData("10.3.0.5/24", "10.3.0.5", "10.3.0.254", 250)]       // a base inside the subnet starts there
    [InlineData("10.3.0.10-10.3.0.50", "10.3.0.10", "10.3.0.50", 41)]
    [InlineData("10.3.0.7", "10.3.0.7", "10.3.0.7", 1)]
    [InlineData("10.3.0.0/31", "10.3.0.0", "10.3.0.1", 2)]
    [InlineData("fd00:3::/120", "fd00:3::1", "fd00:3::fe", 254)]
    [InlineData("fd00:3::10-fd00:3::1f", "fd00:3::10", "fd00:3::1f", 16)]
    [InlineData("fd00::/64", "fd00::1", "fd00::7fff:fffe", int.MaxValue - 1)] // capped at 2^31 addresses like strongSwan
    public void Parses_subnets_ranges_and_single_addresses(string text, string first, string last, int count)
    {
        Assert.True(AddressRange.TryParse(text, out var r, out string error), error);
        Assert.Equal(IPAddress.Parse(first), r!.First);
        Assert.Equal(IPAddress.Parse(last), r.Last);
        Assert.Equal(count, r.Count);
        Assert.Equal(count - 1, r.OffsetOf(r.Last));
        Assert.Equal(-1, r.OffsetOf(IPAddress.Parse(text.Contains(':') ? "fe80::1" : "192.0.2.1")));
    }

    [Theory]
    [InlineData("10.3.0.50-10.3.0.10", "ends before it starts")]
    [InlineData("10.3.0.1-fd00::1", "mixes IPv4 and IPv6")]
    [InlineData("10.3.0.0/33", "prefix length")]
    [InlineData("pool", "not a subnet")]
    [InlineData("10.0.0.0-10.255.255.255.1", "not an address range")]
    [InlineData("fd00::-fd00::1:0:0", "more than")]
    public void Refuses_what_is_not_an_address_range(string text, string message)
    {
        Assert.False(AddressRange.TryParse(text, out _, out string error));
        Assert.Contains(message, error);
    }
}
