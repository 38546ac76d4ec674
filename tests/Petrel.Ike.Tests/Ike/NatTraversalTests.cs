using System.Net;
using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

public class NatTraversalTests
{
    [Fact]
    public void Initiator_behind_nat_floats_to_4500_encapsulates_esp_and_sends_keepalives()
    {
        var f = ExchangeFixture.Create(leftTs: ["10.1.0.0/24"], rightTs: ["10.2.0.0/24"]);
        f.Network.Nat(ExchangeFixture.LeftAddress, IPAddress.Parse("192.0.2.200"));
        // The responder sees the NAT's public address, so it must accept it.
        var right = EnginePeer.Connection("site", ExchangeFixture.RightAddress, IPAddress.Parse("192.0.2.200"), "right", "left", "aes128-sha256-modp2048", "aes128gcm16",
            ["10.2.0.0/24"], ["10.1.0.0/24"]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("left-right-psk", "left", "right")]);

        var result = f.Initiate();

        Assert.True(result!.Success, result.Message);
        Assert.True(f.LeftSa.NatLocal);
        Assert.True(f.RightSa.NatRemote);
        var auth = f.Network.Delivered.First(d => d.ExchangeType == 35 && !d.IsResponse);
        Assert.Equal(4500, auth.Destination.Port);
        var lo = f.Left.Kernel.Outbound;
        Assert.True(lo.UdpEncapsulation);
        Assert.Equal(4500, lo.Source.Port);
        Assert.Equal(4500, lo.Destination.Port);
        var ro = f.Right.Kernel.Outbound;
        Assert.True(ro.UdpEncapsulation);
        Assert.Equal(IPAddress.Parse("192.0.2.200"), ro.Destination.Address);
        Assert.NotEqual(4500, ro.Destination.Port); // the NAT's mapped port

        int before = f.Network.Delivered.Count(d => d.Data.Length == 1);
        f.Advance(TimeSpan.FromSeconds(45));
        int keepalives = f.Network.Delivered.Count(d => d.Data.Length == 1 && d.Data[0] == 0xFF) - before;
        Assert.Equal(2, keepalives);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
    }

    [Fact]
    public void Forced_encapsulation_fakes_nat_detection()
    {
        var f = ExchangeFixture.Create(encap: true);

        Assert.True(f.Initiate()!.Success);

        Assert.True(f.Left.Kernel.Outbound.UdpEncapsulation);
        Assert.True(f.Right.Kernel.Outbound.UdpEncapsulation);
        Assert.True(f.RightSa.NatRemote);
        Assert.Equal(4500, f.Right.Kernel.Outbound.Destination.Port);
        Assert.Contains(f.Network.Delivered, d => d.ExchangeType == 35 && d.Destination.Port == 4500);
    }

    [Fact]
    public void Without_nat_ike_stays_on_500_and_esp_is_not_encapsulated()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        Assert.All(f.Network.Delivered, d => Assert.Equal(500, d.Destination.Port));
        Assert.False(f.Left.Kernel.Outbound.UdpEncapsulation);
        Assert.False(f.LeftSa.NatLocal);
    }
}
