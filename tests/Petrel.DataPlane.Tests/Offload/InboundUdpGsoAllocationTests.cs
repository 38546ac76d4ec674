using System.Net;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Pipeline;

namespace Petrel.DataPlane.Tests.Offload;

/// <summary>
/// The receive side with UDP coalescing (seal a burst, open it through <see cref="InboundBatch"/>,
/// GSO_UDP_L4 writes, the statistics it reports) allocates nothing in steady state. Counts bytes, not time.
/// </summary>
public class InboundUdpGsoAllocationTests
{
    private const int Burst = 32;
    private const int Slot = UserspaceKernel.Headroom + 2048 + UserspaceKernel.Tailroom;

    [Fact]
    public void Sealing_and_opening_a_burst_with_udp_gso_writes_allocates_nothing()
    {
        var enc = AlgorithmCatalog.FindKeyword("aes128gcm16")!;
        var key = new byte[enc.Encryption!.KeyLength];
        new Random(5).NextBytes(key);
        SaSpec Sa(SaDirection direction) => new()
        {
            Spi = 0x5151, Direction = direction, ReqId = 1, UdpEncapsulation = true,
            Source = new IPEndPoint(IPAddress.Loopback, 4500), Destination = new IPEndPoint(IPAddress.Loopback, 4500),
            Encryption = enc.Transform, EncryptionKey = (byte[])key.Clone(), IntegrityKey = [],
        };
        PolicySpec PolicyOf(string local, string remote) => new()
        {
            ReqId = 1, LocalTs = [DataPlane.Policy.TrafficSelector.Parse(local)], RemoteTs = [DataPlane.Policy.TrafficSelector.Parse(remote)],
            LocalAddress = IPAddress.Loopback, RemoteAddress = IPAddress.Loopback,
        };
        var device = new CountingGsoDevice();
        using var receiver = new UserspaceKernel(new NoTransport(), device, algorithms: CatalogEspAlgorithmProvider.Instance) { TunUdpGsoSegments = 16 };
        receiver.InstallSa(Sa(SaDirection.Inbound));
        receiver.InstallPolicy(PolicyOf("10.2.0.0/24", "10.1.0.0/24"));
        using var sender = new UserspaceKernel(new NoTransport(), device, algorithms: CatalogEspAlgorithmProvider.Instance);
        sender.InstallSa(Sa(SaDirection.Outbound));
        sender.InstallPolicy(PolicyOf("10.1.0.0/24", "10.2.0.0/24"));
        var inbound = receiver.CreateInboundBatch(device);

        var inner = UdpCoalescerTests.Udp(false, 1000);
        var buffer = new byte[Burst * Slot];
        var esp = new (int Offset, int Length)[Burst];
        int failures = 0;
        void Once()
        {
            for (int i = 0; i < Burst; i++)
            {
                int at = i * Slot + UserspaceKernel.Headroom;
                inner.CopyTo(buffer, at);
                if (sender.SealOutbound(buffer, at, inner.Length, out int o, out int l, out _) != DropReason.None)
                    failures++;
                esp[i] = (o, l);
            }
            for (int i = 0; i < Burst; i++)
            {
                if (inbound.Open(buffer, esp[i].Offset, esp[i].Length) != DropReason.None)
                    failures++;
            }
            inbound.Flush();
        }
        for (int i = 0; i < 20; i++)
            Once(); // warm up: JIT, lazy crypto state
        long allocated = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
                Once();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
        // Every burst of 32 left as two GSO writes of 16 (TunUdpGsoSegments), and the statistics say so.
        int bursts = 20 + 3 * 50;
        Assert.Equal(2 * bursts, device.GsoWrites);
        Assert.Equal(0, device.Singles);
        Assert.Equal(2L * bursts, receiver.Statistics.TunUdpGsoWrites);
        Assert.Equal((long)Burst * bursts, receiver.Statistics.TunUdpCoalesced);
    }

    private sealed class NoTransport : IOuterTransport
    {
        public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket) => true;
    }

    private sealed class CountingGsoDevice : IGsoTunnelDevice
    {
        public int GsoWrites;
        public int Singles;

        public bool AcceptsUdpGso => true;

        public bool WritePacket(ReadOnlySpan<byte> packet)
        {
            Singles++;
            return true;
        }

        public bool WriteGso(in VirtioNetHeader header, byte[] buffer, ReadOnlySpan<PacketSlice> pieces)
        {
            if (header.GsoType == VirtioNetHeader.GsoUdpL4 && pieces.Length == 16)
                GsoWrites++;
            return true;
        }
    }
}
