using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Offload;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.Platform.Host;
using Petrel.Platform.Net;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// The offloaded loops with two packet threads, over real UDP sockets on loopback (no root): TCP
/// super-segments sealed by <see cref="SegmentSealer"/> leave in one UDP GSO send each, in
/// sequence order; the receiver's UDP GRO batches are opened by <see cref="DatagramOpener"/> and
/// the coalesced TCP stream that reaches the tunnel device is the one that was sent.
/// </summary>
public class ParallelPipelineTests
{
    private const int Mss = 1348;
    private const uint Spi = 0x6d710001;

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static SaSpec Sa(SaDirection direction, int fromPort, int toPort, byte[] encKey, byte[] intKey) => new()
    {
        Spi = Spi, Direction = direction, ReqId = 1, UdpEncapsulation = true, ReplayWindow = 32,
        Source = new IPEndPoint(IPAddress.Loopback, fromPort), Destination = new IPEndPoint(IPAddress.Loopback, toPort),
        Encryption = AlgorithmCatalog.FindKeyword("aes128")!.Transform, EncryptionKey = (byte[])encKey.Clone(),
        Integrity = AlgorithmCatalog.FindKeyword("sha256")!.Transform, IntegrityKey = (byte[])intKey.Clone(),
    };

    private static PolicySpec Policy(string local, string remote) => new()
    {
        ReqId = 1, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = IPAddress.Loopback, RemoteAddress = IPAddress.Loopback,
    };

    [Fact]
    public void Super_segments_sealed_on_two_threads_arrive_in_sequence_order_and_open_on_two_threads_to_the_same_stream()
    {
        const int superSegments = 6, payload = 40 * Mss + 500;    // 41 segments each
        var encKey = new byte[16];
        var intKey = new byte[32];
        Random.Shared.NextBytes(encKey);
        Random.Shared.NextBytes(intKey);
        int txPort = FreePort(), rxPort = FreePort();

        using var udp = new UdpTransport(ikePort: 0, natTPort: txPort, addresses: [IPAddress.Loopback]);
        using var sender = new UserspaceKernel(udp, new CapturingTunnel(), algorithms: CatalogEspAlgorithmProvider.Instance) { PacketThreads = 2 };
        sender.InstallSa(Sa(SaDirection.Outbound, txPort, rxPort, encKey, intKey));
        sender.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24"));

        using var rx = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, rxPort));
        Assert.True(rx.EnableGro());
        var device = new RecordingGsoDevice();
        using var receiver = new UserspaceKernel(new CapturingTransport(), device, algorithms: CatalogEspAlgorithmProvider.Instance) { PacketThreads = 2 };
        receiver.InstallSa(Sa(SaDirection.Inbound, txPort, rxPort, encKey, intKey));
        receiver.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24"));

        using var sealPool = new PacketWorkerPool(2, "test seal");
        var sealer = new SegmentSealer(sender, sealPool);
        var batch = new EspSendBatch(udp, sender);
        var buffer = new byte[UserspaceKernel.Headroom + 65535 + UserspaceKernel.Tailroom];
        var stream = new List<byte>();
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV4, 20 + TcpTestPackets.TcpHeaderLength, Mss, 20, 16);
        for (int s = 0; s < superSegments; s++)
        {
            var super = TcpTestPackets.Tcp(false, payload, seq: 1000u + (uint)(s * payload), flags: 0x10, payloadSeed: s + 1, partialChecksum: true);
            stream.AddRange(super.AsSpan(20 + TcpTestPackets.TcpHeaderLength).ToArray());
            super.CopyTo(buffer, UserspaceKernel.Headroom);
            Assert.True(sealer.TrySeal(buffer, UserspaceKernel.Headroom, super.Length, header, batch));
            batch.Flush();
        }
        Assert.Equal(superSegments, sealer.Batches);
        Assert.Equal(superSegments, sealPool.ParallelBatches);
        Assert.True(batch.Batches >= superSegments, $"{batch.Batches} UDP GSO sends");
        int total = superSegments * 41;
        Assert.Equal(total, sender.Statistics.Encapsulated);

        using var openPool = new PacketWorkerPool(2, "test open");
        var opener = new DatagramOpener(receiver, openPool);
        var inbound = receiver.CreateInboundBatch(device);
        var rxBuffer = new byte[UserspaceKernel.InboundHeadroom + 65536];
        var wireSequences = new List<uint>();
        for (int tries = 0; tries < 100 && wireSequences.Count < total; tries++)
        {
            int n = rx.Receive(rxBuffer.AsSpan(UserspaceKernel.InboundHeadroom), 100, out _, out _, out int segmentSize);
            if (n <= 0)
                continue;
            int step = segmentSize > 0 ? segmentSize : n;
            for (int off = 0; off < n; off += step)
                wireSequences.Add(BinaryPrimitives.ReadUInt32BigEndian(rxBuffer.AsSpan(UserspaceKernel.InboundHeadroom + off + 4)));
            if (!opener.TryOpen(rxBuffer, UserspaceKernel.InboundHeadroom, n, step, inbound))
            {
                for (int off = 0; off < n; off += step)
                    inbound.Open(rxBuffer, UserspaceKernel.InboundHeadroom + off, Math.Min(step, n - off));
                inbound.Flush();
            }
        }

        // RFC 4303 §3.3.3 numbers in the order the peer receives them: 1, 2, 3, … with no gap or swap.
        Assert.Equal(Enumerable.Range(1, total).Select(i => (uint)i).ToArray(), wireSequences.ToArray());
        Assert.True(opener.Batches > 0, "no GRO batch was opened in parallel");
        Assert.True(total == receiver.Statistics.Decapsulated, string.Join(", ", receiver.Statistics.Drops().Select(d => $"{d.Key} {d.Value}")) + $" batches {opener.Batches}");
        Assert.Equal(0, receiver.Statistics.Dropped(DropReason.Replay));
        // What reached the tunnel device, in write order, is the TCP byte stream that was sent.
        var received = new List<byte>();
        foreach (var (h, packet) in device.Writes)
        {
            int ihl = (packet[0] & 0x0f) * 4;
            int tcpHeader = (packet[ihl + 12] >> 4) * 4;
            received.AddRange(packet.AsSpan(ihl + tcpHeader).ToArray());
        }
        Assert.Equal(stream.Count, received.Count);
        Assert.True(stream.SequenceEqual(received), "the TCP payload differs from what was sent");
    }
}
