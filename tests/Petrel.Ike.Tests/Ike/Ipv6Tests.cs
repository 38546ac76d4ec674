using System.Net;

namespace Petrel.Ike.Tests.Ike;

public class Ipv6Tests
{
    [Fact]
    public void Ike_over_ipv6_with_ipv4_and_ipv6_selectors()
    {
        var network = new InMemoryNetwork();
        var clock = new VirtualClock();
        var a = IPAddress.Parse("2001:db8:18::1");
        var b = IPAddress.Parse("2001:db8:18::2");
        var left = new EnginePeer("left", a, network, clock, 11, new IkeEngineOptions { ExportKeys = true });
        var right = new EnginePeer("right", b, network, clock, 12);
        left.Engine.Load([EnginePeer.Connection("v6", a, b, "left", "right", "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
            ["10.1.0.0/24", "2001:db8:1::/64"], ["10.2.0.0/24", "2001:db8:2::/64"])], [EnginePeer.Secret("k")]);
        right.Engine.Load([EnginePeer.Connection("v6", b, a, "right", "left", "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
            ["10.2.0.0/24", "2001:db8:2::/64"], ["10.1.0.0/24", "2001:db8:1::/64"])], [EnginePeer.Secret("k")]);
        InitiateResult? result = null;

        left.Engine.Initiate("v6", null, r => result = r);
        network.Run();

        Assert.True(result!.Success, result.Message);
        var sa = Assert.Single(right.Engine.ListSas());
        Assert.Equal("2001:db8:18::1", sa.RemoteHost);
        Assert.Equal("left", sa.RemoteId);
        var child = Assert.Single(sa.Children);
        Assert.Equal(["10.2.0.0/24", "2001:db8:2::/64"], child.LocalTs);
        Assert.False(sa.NatRemote);
        Assert.Equal("IPv6", left.Engine.ExportEspKeys()[0].Protocol);
        Assert.Equal(b, left.Kernel.Outbound.Destination.Address);
    }

    [Fact]
    public void Default_identity_is_the_ip_address()
    {
        var f = new ExchangeFixture();
        var l = EnginePeer.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "%any", "%any", "aes128-sha256-modp2048", "aes128gcm16");
        var r = EnginePeer.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "%any", "198.51.100.1", "aes128-sha256-modp2048", "aes128gcm16");
        f.Left.Engine.Load([l], [EnginePeer.Secret("k", "198.51.100.1", "198.51.100.2")]);
        f.Right.Engine.Load([r], [EnginePeer.Secret("k", "198.51.100.1", "198.51.100.2")]);

        Assert.True(f.Initiate()!.Success);
        Assert.Equal("198.51.100.1", f.RightSa.RemoteId);
        Assert.Equal("198.51.100.2", f.LeftSa.RemoteId);
    }
}
