using System.Net;
using Petrel.Ike.Config;
using Petrel.Ike.Pools;

namespace Petrel.Ike.Tests.Ike;

/// <summary>RFC 7296 §3.15 in IKE_AUTH: a roadwarrior (vips = 0.0.0.0 / ::) gets a lease from the gateway's pools.</summary>
public class VirtualIpTests
{
    private sealed class RecordingHost : IVirtualIpHost
    {
        public List<string> Calls { get; } = [];
        public void Add(IPAddress address) => Calls.Add($"add {address}");
        public void Remove(IPAddress address) => Calls.Add($"remove {address}");
    }

    private static AddressPoolConfig Pool(string name, string addrs, params string[] dns)
    {
        Assert.True(AddressRange.TryParse(addrs, out var r, out _));
        return new AddressPoolConfig { Name = name, Addresses = r!, Dns = [.. dns.Select(IPAddress.Parse)] };
    }

    private static (ExchangeFixture F, RecordingHost Host) Roadwarrior(IPAddress[] vips, string[] pools, params AddressPoolConfig[] poolConfigs)
    {
        var f = new ExchangeFixture();
        var left = EnginePeer.Connection("rw", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "carol", "gw", "aes128-sha256-modp2048", "aes128gcm16",
            ["dynamic"], ["10.2.0.0/24"]);
        var right = EnginePeer.Connection("rw", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "gw", "carol", "aes128-sha256-modp2048", "aes128gcm16",
            ["10.2.0.0/24"], ["dynamic"]);
        left = With(left, vips: vips);
        right = With(right, pools: pools);
        f.Left.Engine.Load([left], [EnginePeer.Secret("psk-psk-psk", "carol", "gw")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("psk-psk-psk", "carol", "gw")]);
        f.Right.Engine.Pools.Load(poolConfigs);
        var host = new RecordingHost();
        f.Left.Engine.VirtualIpHost = host;
        return (f, host);
    }

    private static ConnectionConfig With(ConnectionConfig c, IPAddress[]? vips = null, string[]? pools = null) => new()
    {
        Name = c.Name, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals, Local = c.Local, Remote = c.Remote,
        Children = c.Children, Vips = vips ?? [], Pools = pools ?? [],
    };

    [Fact]
    public void Roadwarrior_gets_a_lease_uses_it_as_its_selector_and_the_lease_comes_back_after_delete()
    {
        var (f, host) = Roadwarrior([IPAddress.Any], ["rw"], Pool("rw", "10.3.0.0/24", "10.3.0.53"));
        var result = f.Initiate("rw");
        Assert.True(result!.Success, result.Message);

        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
        Assert.Equal(["10.3.0.1"], f.RightSa.RemoteVips);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(f.LeftSa.Children).LocalTs);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(f.RightSa.Children).RemoteTs);
        Assert.Equal(["add 10.3.0.1"], host.Calls);
        Assert.Contains("peer assigned DNS server(s) 10.3.0.53", f.Left.Log.All);
        var pool = Assert.Single(f.Right.Engine.Pools.List(true));
        Assert.Equal((1, 0), (pool.Online, pool.Offline));
        Assert.Equal(new PoolLease(IPAddress.Parse("10.3.0.1"), "carol", true), Assert.Single(pool.Leases));

        InitiateResult? down = null;
        f.Left.Engine.Terminate("rw", null, r => down = r);
        f.Network.Run();
        Assert.True(down!.Success, down.Message);
        Assert.Empty(f.Right.Engine.ListSas());
        pool = Assert.Single(f.Right.Engine.Pools.List(true));
        Assert.Equal((0, 1), (pool.Online, pool.Offline));
        Assert.Equal(["add 10.3.0.1", "remove 10.3.0.1"], host.Calls);

        // The same identity comes back to the same address.
        Assert.True(f.Initiate("rw")!.Success);
        Assert.Equal(["10.3.0.1"], f.RightSa.RemoteVips);
        Assert.Equal((1, 0), (f.Right.Engine.Pools.List(false)[0].Online, f.Right.Engine.Pools.List(false)[0].Offline));
    }

    [Fact]
    public void Ipv4_and_ipv6_virtual_ips_from_two_pools()
    {
        var (f, host) = Roadwarrior([IPAddress.Any, IPAddress.IPv6Any], ["v4", "v6"], Pool("v4", "10.3.0.10-10.3.0.20"), Pool("v6", "fd00:3::/120", "2001:db8::53"));
        Assert.True(f.Initiate("rw")!.Success);
        Assert.Equal(["10.3.0.10", "fd00:3::1"], f.LeftSa.LocalVips);
        Assert.Equal(["10.3.0.10", "fd00:3::1"], f.RightSa.RemoteVips);
        Assert.Equal(["10.3.0.10/32", "fd00:3::1/128"], Assert.Single(f.LeftSa.Children).LocalTs);
        Assert.Equal(["add 10.3.0.10", "add fd00:3::1"], host.Calls);
        Assert.Contains("peer assigned DNS server(s) 2001:db8::53", f.Left.Log.All);
    }

    [Fact]
    public void Initiator_fails_when_the_peer_assigns_no_address()
    {
        var (f, host) = Roadwarrior([IPAddress.Any], [], Pool("rw", "10.3.0.0/24"));
        var result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("virtual IP requested (vips = 0.0.0.0), but the peer assigned none", result.Message);
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(host.Calls);
        Assert.Contains("asks for a virtual IP, but connection 'rw' has no pools", f.Right.Log.All);
    }

    [Fact]
    public void Exhausted_pool_is_logged_and_the_initiator_gives_up()
    {
        var (f, _) = Roadwarrior([IPAddress.Any], ["one"], Pool("one", "10.3.0.7"));
        f.Right.Engine.Pools.Acquire(["one"], "someone-else", System.Net.Sockets.AddressFamily.InterNetwork, null);
        var result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("no IPv4 virtual IP for 'carol': pools one have none left", f.Right.Log.All);
    }

    [Fact]
    public void Without_vips_no_cfg_request_and_selectors_stay_on_the_ike_address()
    {
        var (f, host) = Roadwarrior([], ["rw"], Pool("rw", "10.3.0.0/24"));
        Assert.True(f.Initiate("rw")!.Success);
        Assert.Empty(f.LeftSa.LocalVips);
        Assert.Empty(f.RightSa.RemoteVips);
        Assert.Equal([$"{ExchangeFixture.LeftAddress}/32"], Assert.Single(f.RightSa.Children).RemoteTs);
        Assert.Equal(0, f.Right.Engine.Pools.List(false)[0].Online);
        Assert.Empty(host.Calls);
    }
}
