using System.Net;
using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>pools { NAME { addrs, dns, nbns } }, a connection's pools and vips (swanctl.conf(5)).</summary>
public class PoolConfigTests
{
    /// <summary><paramref name="connection"/> lands on line 4; the pools section starts on line 10.</summary>
    private static string Conf(string connection = "", string pool = "addrs = 10.3.0.0/24") =>
        "connections {\n" +
        "  rw {\n" +
        "    local { auth = psk }\n" +
        $"    {connection}\n" +
        "    remote { auth = psk }\n" +
        "    children { net { local_ts = 0.0.0.0/0 } }\n" +
        "  }\n" +
        "}\n" +
        "\n" +
        "pools {\n" +
        "  rw_pool {\n" +
        $"    {pool}\n" +
        "  }\n" +
        "  v6 {\n" +
        "    addrs = fd00:3::10-fd00:3::2f\n" +
        "    dns = 2001:db8::53\n" +
        "  }\n" +
        "}\n";

    private static string Refusal(string text) =>
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(text, "swanctl.conf")).Message;

    [Fact]
    public void Pools_and_the_connections_that_use_them_load()
    {
        var config = SwanctlLoader.LoadText(Conf("pools = rw_pool, v6", "addrs = 10.3.0.10-10.3.0.50\n    dns = 10.3.0.53, 10.3.0.54\n    nbns = 10.3.0.55"));
        Assert.Equal(["rw_pool", "v6"], config.Connections[0].Pools);
        var v4 = config.Pools.Single(p => p.Name == "rw_pool");
        Assert.Equal(IPAddress.Parse("10.3.0.10"), v4.Addresses.First);
        Assert.Equal(41, v4.Addresses.Count);
        Assert.Equal([IPAddress.Parse("10.3.0.53"), IPAddress.Parse("10.3.0.54")], v4.Dns);
        Assert.Equal([IPAddress.Parse("10.3.0.55")], v4.Nbns);
        Assert.Equal("swanctl.conf:11", v4.Source);
        var v6 = config.Pools.Single(p => p.Name == "v6");
        Assert.Equal(32, v6.Addresses.Count);
        Assert.Equal([IPAddress.Parse("2001:db8::53")], v6.Dns);
    }

    [Fact]
    public void Vips_ask_for_any_address_or_a_given_one()
    {
        var c = SwanctlLoader.LoadText(Conf("vips = 0.0.0.0, ::")).Connections[0];
        Assert.Equal([IPAddress.Any, IPAddress.IPv6Any], c.Vips);
        Assert.Equal([IPAddress.Parse("10.3.0.7")], SwanctlLoader.LoadText(Conf("vips = 10.3.0.7")).Connections[0].Vips);
    }

    [Theory]
    [InlineData("pools = nosuch", "swanctl.conf:4: connections.rw.pools: pool 'nosuch' is not defined in pools { }")]
    [InlineData("pools = rw_pol", "swanctl.conf:4: connections.rw.pools: pool 'rw_pol' is not defined in pools { } (did you mean 'rw_pool'?)")]
    [InlineData("pools = radius", "swanctl.conf:4: connections.rw.pools: pool 'radius' (strongSwan's radius plugin) is not supported by Petrel yet: name a pools { } section")]
    [InlineData("vips = 0.0.0.0/0", "swanctl.conf:4: connections.rw.vips: '0.0.0.0/0' is not an IP address (0.0.0.0 or :: asks for any)")]
    [InlineData("vips = 0.0.0.0, 10.0.0.1", "swanctl.conf:4: connections.rw.vips: '10.0.0.1': one virtual IP per address family")]
    public void Bad_connection_pools_and_vips_name_line_and_key(string line, string expected)
    {
        Assert.Equal(expected, Refusal(Conf(line)));
    }

    [Theory]
    [InlineData("addrs = 10.3.0.0/33", "swanctl.conf:12: pools.rw_pool.addrs: '10.3.0.0/33': the prefix length must be 0 to 32")]
    [InlineData("addrs = 10.3.0.50-10.3.0.10", "swanctl.conf:12: pools.rw_pool.addrs: '10.3.0.50-10.3.0.10' ends before it starts")]
    [InlineData("dns = 10.3.0.300", "swanctl.conf:12: pools.rw_pool.dns: '10.3.0.300' is not an IP address")]
    [InlineData("nbns = fd00::1", "swanctl.conf:12: pools.rw_pool.nbns: 'fd00::1': NBNS servers are IPv4 only (RFC 7296 §3.15.1)")]
    [InlineData("dns = 10.3.0.53", "swanctl.conf:11: pools.rw_pool: 'addrs' (a subnet such as 10.3.0.0/24 or a range 10.3.0.10-10.3.0.50) is missing")]
    [InlineData("addrs = fd00:3::/64", "swanctl.conf:14: pools.v6: addresses fd00:3::10-fd00:3::2f overlap pool 'rw_pool' (fd00:3::/64, swanctl.conf:11); pools must not overlap")]
    [InlineData("split_include = 10.0.0.0/8", "swanctl.conf:12: key 'split_include' in pools.rw_pool is not supported by Petrel yet (pools send addrs, dns and nbns)")]
    [InlineData("adrs = 10.3.0.0/24", "swanctl.conf:12: unknown key 'adrs' in pools.rw_pool (did you mean 'addrs'?)")]
    public void Bad_pools_name_line_and_key(string line, string expected)
    {
        Assert.Equal(expected, Refusal(Conf(pool: line)));
    }
}
