using System.Buffers.Binary;
using System.Net;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>
/// Several SPD entries on one kernel, each protect entry with its own SA: the lookup order is
/// strongSwan's (bypass/discard before protect, then the more specific selector pair), whatever
/// the install order.
/// </summary>
public sealed class SpdOrderingTests
{
    private static readonly IPEndPoint Me = new(IPAddress.Parse("198.18.0.1"), 4500);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("198.18.0.2"), 4500);

    private static PolicySpec Policy(uint reqId, PolicyAction action, string[] local, string[] remote) => new()
    {
        ReqId = reqId, Action = action, LocalAddress = Me.Address, RemoteAddress = Peer.Address,
        LocalTs = [.. local.Select(TrafficSelector.Parse)], RemoteTs = [.. remote.Select(TrafficSelector.Parse)],
    };

    private static SaSpec Outbound(uint spi, uint reqId) => new()
    {
        Spi = spi, Direction = SaDirection.Outbound, ReqId = reqId, Source = Me, Destination = Peer, UdpEncapsulation = true,
        Encryption = TestTransforms.AesGcm16(128), EncryptionKey = new byte[20],
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Packets_reach_the_entry_strongswan_would_pick(bool reverseInstallOrder)
    {
        var outer = new CapturingTransport();
        using var k = new UserspaceKernel(outer, new CapturingTunnel(), algorithms: TestAlgorithmProvider.Instance);
        var policies = new List<PolicySpec>
        {
            // A broad protect entry with two remote selectors, and a narrower one with its own SA.
            Policy(1, PolicyAction.Protect, ["10.1.0.0/24"], ["10.2.0.0/16", "10.3.0.0/16"]),
            Policy(2, PolicyAction.Protect, ["10.1.0.0/24"], ["10.2.7.0/24"]),
            Policy(3, PolicyAction.Protect, ["10.1.0.0/24[tcp]"], ["10.2.7.0/24[tcp/443]"]),
            // swanctl mode = pass / drop children inside the protected range.
            Policy(4, PolicyAction.Bypass, ["10.1.0.0/24"], ["10.2.99.0/24"]),
            Policy(5, PolicyAction.Discard, ["10.1.0.0/16"], ["10.2.0.0/16"]),
        };
        if (reverseInstallOrder)
            policies.Reverse();
        foreach (var p in policies)
            k.InstallPolicy(p);
        k.InstallSa(Outbound(0x1001, 1));
        k.InstallSa(Outbound(0x1002, 2));
        k.InstallSa(Outbound(0x1003, 3));

        // The discard entry covers all of 10.2/16 and, being a drop policy, wins over every protect entry there.
        Assert.Equal(DropReason.PolicyDiscard, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.7.1")));
        Assert.Equal(DropReason.PolicyDiscard, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.99.1")));
        k.RemovePolicy(5);

        Assert.Equal(DropReason.None, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.5.1")));
        Assert.Equal(DropReason.None, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.3.5.1")));
        Assert.Equal(DropReason.None, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.7.1")));
        Assert.Equal(DropReason.None, KernelPair.Send(k, Tcp("10.1.0.1", "10.2.7.1", 443)));
        Assert.Equal(DropReason.None, KernelPair.Send(k, Tcp("10.1.0.1", "10.2.7.1", 80)));
        // The bypass entry is ahead of the protect entries: nothing of it is encrypted.
        Assert.Equal(DropReason.PolicyDiscard, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.99.1")));

        uint[] spis = [.. outer.Sent.Select(s => BinaryPrimitives.ReadUInt32BigEndian(s.Packet))];
        Assert.Equal([0x1001u, 0x1001u, 0x1002u, 0x1003u, 0x1002u], spis);
        Assert.Equal(2ul, Packets(k, 0x1001));
        Assert.Equal(2ul, Packets(k, 0x1002));
        Assert.Equal(1ul, Packets(k, 0x1003));
        Assert.Equal(4, k.Policies.Count); // one entry per policy, however many selector pairs
    }

    private static ulong Packets(UserspaceKernel k, uint spi) =>
        k.TryGetCounters(spi, SaDirection.Outbound, out var c) ? c.Packets : ulong.MaxValue;

    private static byte[] Tcp(string src, string dst, ushort port)
    {
        var tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), port);
        tcp[12] = 5 << 4;
        tcp[13] = 0x02;
        return TestPackets.Ipv4(src, dst, 6, tcp);
    }
}
