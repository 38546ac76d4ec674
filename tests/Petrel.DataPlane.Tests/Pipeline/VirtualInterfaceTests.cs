using System.Net;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>Route-based VPN: a 0.0.0.0/0 ⇄ 0.0.0.0/0 policy bound to an interface id sees only that interface's packets.</summary>
public sealed class VirtualInterfaceTests
{
    private const uint IfId = 7;

    private static readonly IPEndPoint OuterA = new(IPAddress.Parse("198.18.0.1"), 4500);
    private static readonly IPEndPoint OuterB = new(IPAddress.Parse("198.18.0.2"), 4500);

    private static void Install(UserspaceKernel k, uint spiOut, uint spiIn, IPEndPoint me, IPEndPoint peer, uint reqId, uint ifId)
    {
        SaSpec Sa(uint spi, SaDirection d, IPEndPoint src, IPEndPoint dst) => new()
        {
            Spi = spi, Direction = d, ReqId = reqId, Source = src, Destination = dst, UdpEncapsulation = true,
            Encryption = TestTransforms.AesGcm16(128), EncryptionKey = [.. Enumerable.Range((int)spi & 0x7F, 20).Select(i => (byte)i)],
        };
        k.InstallSa(Sa(spiOut, SaDirection.Outbound, me, peer));
        k.InstallSa(Sa(spiIn, SaDirection.Inbound, peer, me));
        k.InstallPolicy(new PolicySpec
        {
            ReqId = reqId, LocalTs = [TrafficSelector.Parse("0.0.0.0/0")], RemoteTs = [TrafficSelector.Parse("0.0.0.0/0")],
            LocalAddress = me.Address, RemoteAddress = peer.Address, InterfaceIdIn = ifId, InterfaceIdOut = ifId,
        });
    }

    [Fact]
    public void Zero_zero_sa_carries_only_the_interface_packets_and_delivers_into_the_interface()
    {
        var outerA = new CapturingTransport();
        var outerB = new CapturingTransport();
        var sharedA = new CapturingTunnel();
        var sharedB = new CapturingTunnel();
        var vtiA = new CapturingTunnel();
        var vtiB = new CapturingTunnel();
        using var a = new UserspaceKernel(outerA, sharedA, algorithms: TestAlgorithmProvider.Instance);
        using var b = new UserspaceKernel(outerB, sharedB, algorithms: TestAlgorithmProvider.Instance);
        outerA.DeliverTo = b;
        outerB.DeliverTo = a;
        a.AddInterface(IfId, vtiA);
        b.AddInterface(IfId, vtiB);
        Install(a, 0x0A0B, 0x0B0A, OuterA, OuterB, 1, IfId);
        Install(b, 0x0B0A, 0x0A0B, OuterB, OuterA, 1, IfId);

        var ping = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1");
        // From the shared device the route-based policy is invisible.
        Assert.Equal(DropReason.NoPolicy, Send(a, ping, 0));
        Assert.Empty(outerA.Sent);

        Assert.Equal(DropReason.None, Send(a, ping, IfId));
        Assert.Equal(DropReason.None, Assert.Single(outerA.DeliveryResults));
        Assert.Equal(ping, Assert.Single(vtiB.Written));
        Assert.Empty(sharedB.Written);

        // Any address pair is inside 0/0: a routed network behind the peer answers back.
        var reply = TestPackets.Ipv4Icmp("172.16.5.5", "192.168.9.9");
        Assert.Equal(DropReason.None, Send(b, reply, IfId));
        Assert.Equal(reply, Assert.Single(vtiA.Written));
        Assert.Empty(sharedA.Written);
    }

    private static DropReason Send(UserspaceKernel k, byte[] inner, uint ifId)
    {
        var buffer = new byte[UserspaceKernel.Headroom + inner.Length + UserspaceKernel.Tailroom];
        inner.CopyTo(buffer, UserspaceKernel.Headroom);
        return k.ProcessOutbound(buffer, UserspaceKernel.Headroom, inner.Length, ifId);
    }
}
