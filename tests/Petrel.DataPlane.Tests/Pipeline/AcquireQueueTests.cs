using System.Net;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>Packets hitting a policy without SA are queued (bounded, drop-oldest) and sent in order once the SA is installed.</summary>
public class AcquireQueueTests
{
    private static SaSpec OutboundAToB(KernelPair pair) => new()
    {
        Spi = KernelPair.SpiAToB, Direction = SaDirection.Outbound, ReqId = KernelPair.ReqId, UdpEncapsulation = true,
        Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
        Encryption = TestTransforms.AesGcm16(128), EncryptionKey = (byte[])pair.EncKeyAToB.Clone(), ReplayWindow = 0,
    };

    private static ushort DestinationPort(byte[] inner) => (ushort)(inner[22] << 8 | inner[23]);

    [Fact]
    public void Queued_packets_go_out_in_order_when_the_sa_arrives_and_the_oldest_are_dropped_beyond_the_limit()
    {
        using var pair = KernelPair.AesGcm128();
        pair.A.RemoveSa(KernelPair.SpiAToB, SaDirection.Outbound); // a trap: policy, no SA
        int acquires = 0;
        pair.A.Acquire += _ => acquires++;

        for (ushort port = 1; port <= 70; port++)
            Assert.Equal(DropReason.NoSa, KernelPair.Send(pair.A, TestPackets.Ipv4Udp("10.1.0.1", "10.2.0.1", 5000, port)));
        Assert.Equal(1, acquires);
        Assert.Empty(pair.TunB.Written);
        var q = pair.A.AcquireQueue;
        Assert.Equal(AcquireQueue.PerPolicyLimit, q.Count);
        Assert.Equal(70, q.Queued);
        Assert.Equal(6, q.Overflow);

        pair.A.InstallSa(OutboundAToB(pair));
        Assert.Equal(0, q.Count);
        Assert.Equal(64, q.Sent);
        Assert.Equal(Enumerable.Range(7, 64).Select(p => (ushort)p), pair.TunB.Written.Select(DestinationPort));

        // New traffic simply follows.
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, TestPackets.Ipv4Udp("10.1.0.1", "10.2.0.1", 5000, 71)));
        Assert.Equal(71, DestinationPort(pair.TunB.Written[^1]));
        Assert.Equal(0, pair.B.Statistics.Drops().Values.Sum());
    }

    [Fact]
    public void Removing_the_trap_policy_discards_its_queue()
    {
        using var pair = KernelPair.AesGcm128();
        pair.A.RemoveSa(KernelPair.SpiAToB, SaDirection.Outbound);
        KernelPair.Send(pair.A, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1"));
        Assert.Equal(1, pair.A.AcquireQueue.Count);
        pair.A.RemovePolicy(KernelPair.ReqId);
        Assert.Equal(0, pair.A.AcquireQueue.Count);
        pair.A.InstallSa(OutboundAToB(pair));
        Assert.Empty(pair.TunB.Written);
    }
}
