using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Offload;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.Platform.Host;
using Petrel.Platform.Net;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// Separate packets of two SAs (two UDP flows) sealed by <see cref="BurstSealer"/> on two threads and
/// sent over a real loopback UDP socket: each SA's packets reach the wire with sequence numbers 1, 2,
/// 3, … in that order, and open at the peer to the packets that were read, in the order they were read.
/// </summary>
public class BurstSealerTests
{
    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static SaSpec Sa(uint spi, uint reqId, SaDirection direction, int fromPort, int toPort, byte[] key) => new()
    {
        Spi = spi, Direction = direction, ReqId = reqId, UdpEncapsulation = true, ReplayWindow = 32,
        Source = new IPEndPoint(IPAddress.Loopback, fromPort), Destination = new IPEndPoint(IPAddress.Loopback, toPort),
        Encryption = AlgorithmCatalog.FindKeyword("aes128gcm16")!.Transform, EncryptionKey = (byte[])key.Clone(), IntegrityKey = [],
    };

    private static PolicySpec Policy(uint reqId, string local, string remote) => new()
    {
        ReqId = reqId, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = IPAddress.Loopback, RemoteAddress = IPAddress.Loopback,
    };

    [Fact]
    public void Bursts_of_two_SAs_sealed_on_two_threads_leave_in_sequence_order_per_SA_and_open_to_what_was_read()
    {
        const int bursts = 5, perBurst = 60;
        var key = new byte[20];
        Random.Shared.NextBytes(key);
        int txPort = FreePort(), rxPort = FreePort();

        using var udp = new UdpTransport(ikePort: 0, natTPort: txPort, addresses: [IPAddress.Loopback]);
        using var sender = new UserspaceKernel(udp, new CapturingTunnel(), algorithms: CatalogEspAlgorithmProvider.Instance) { PacketThreads = 2 };
        using var rx = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, rxPort), receiveBufferBytes: 8 << 20);
        var tunnel = new CapturingTunnel();
        using var receiver = new UserspaceKernel(new CapturingTransport(), tunnel, algorithms: CatalogEspAlgorithmProvider.Instance);
        for (uint s = 1; s <= 2; s++)
        {
            sender.InstallSa(Sa(0x6d720000 + s, s, SaDirection.Outbound, txPort, rxPort, key));
            receiver.InstallSa(Sa(0x6d720000 + s, s, SaDirection.Inbound, txPort, rxPort, key));
            // SA 1 carries source port 40000, SA 2 source port 40001.
            sender.InstallPolicy(Policy(s, $"10.1.0.0/24[udp/{39999 + s}]", "10.2.0.0/24"));
            receiver.InstallPolicy(Policy(s, "10.2.0.0/24", $"10.1.0.0/24[udp/{39999 + s}]"));
        }

        using var pool = new PacketWorkerPool(2, "test seal");
        var sealer = new BurstSealer(sender, pool);
        var batch = new EspSendBatch(udp, sender);
        var read = new List<byte[]>();
        var buffer = new byte[UserspaceKernel.InboundHeadroom + 65536];
        var sequences = new Dictionary<uint, List<uint>>();
        void ReceiveAll()
        {
            // After each burst: the loopback socket's buffer holds one burst, not all of them.
            for (int tries = 0; tries < 100 && sequences.Values.Sum(l => l.Count) < read.Count; tries++)
            {
                int n = rx.Receive(buffer.AsSpan(UserspaceKernel.InboundHeadroom), 100, out _, out _);
                if (n <= 0)
                    continue;
                var esp = buffer.AsSpan(UserspaceKernel.InboundHeadroom, n);
                uint spi = BinaryPrimitives.ReadUInt32BigEndian(esp);
                if (!sequences.TryGetValue(spi, out var list))
                    sequences[spi] = list = [];
                list.Add(BinaryPrimitives.ReadUInt32BigEndian(esp[4..]));
                Assert.Equal(DropReason.None, receiver.ProcessInbound(buffer, UserspaceKernel.InboundHeadroom, n));
            }
        }
        for (int b = 0; b < bursts; b++)
        {
            for (int i = 0; i < perBurst; i++)
            {
                // Sizes and flows mixed as a TUN read delivers them: 100 to 1300 bytes, the two SAs interleaved.
                int n = read.Count;
                var packet = UdpCoalescerTests.Udp(false, 100 + (n * 37) % 1200, ipId: (ushort)n, payloadSeed: n + 1, srcPort: (ushort)(40000 + (n * 7 % 3 == 0 ? 1 : 0)));
                Assert.True(sealer.TryAdd(packet, 0));
                read.Add(packet);
            }
            Assert.Equal(perBurst, sealer.Count);
            sealer.Flush(batch);
            batch.Flush();
            ReceiveAll();
        }
        Assert.Equal(bursts, pool.ParallelBatches);
        Assert.Equal(bursts * perBurst, sender.Statistics.Encapsulated);
        Assert.Equal(bursts * perBurst, sealer.Packets);


        // RFC 4303 §3.3.3: per SA 1, 2, 3, … in the order the peer receives them.
        Assert.Equal(2, sequences.Count);
        foreach (var (spi, list) in sequences)
            Assert.Equal(Enumerable.Range(1, list.Count).Select(i => (uint)i).ToArray(), list.ToArray());
        Assert.Equal(read.Count, sequences.Values.Sum(l => l.Count));
        // Across SAs the wire order may differ from the read order (one UDP GSO group per SA and
        // size run); within each flow it is the read order, byte for byte.
        for (ushort port = 40000; port <= 40001; port++)
        {
            var sent = read.Where(p => BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(20)) == port).ToList();
            var got = tunnel.Written.Where(p => BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(20)) == port).ToList();
            Assert.Equal(sent.Count, got.Count);
            for (int i = 0; i < sent.Count; i++)
                Assert.True(sent[i].AsSpan().SequenceEqual(got[i]), $"flow {port} packet {i} differs");
        }
    }

    [Fact]
    public void A_packet_without_an_SA_or_too_large_is_not_taken_and_nothing_is_claimed()
    {
        using var udp = new UdpTransport(ikePort: 0, natTPort: FreePort(), addresses: [IPAddress.Loopback]);
        using var kernel = new UserspaceKernel(udp, new CapturingTunnel(), algorithms: CatalogEspAlgorithmProvider.Instance) { PacketThreads = 2 };
        using var pool = new PacketWorkerPool(2, "test seal");
        var sealer = new BurstSealer(kernel, pool);
        Assert.False(sealer.TryAdd(UdpCoalescerTests.Udp(false, 200), 0));          // no policy
        kernel.InstallPolicy(Policy(1, "10.1.0.0/24", "10.2.0.0/24"));
        Assert.False(sealer.TryAdd(UdpCoalescerTests.Udp(false, 200), 0));          // protect policy, no SA yet
        kernel.InstallSa(Sa(0x6d720009, 1, SaDirection.Outbound, 4500, 4500, new byte[20]));
        Assert.False(sealer.TryAdd(UdpCoalescerTests.Udp(false, BurstSealer.MaxPacket), 0));
        Assert.True(sealer.TryAdd(UdpCoalescerTests.Udp(false, 200), 0));
        Assert.Equal(1, sealer.Count);
        Assert.Equal(0, kernel.Statistics.Encapsulated);
    }
}
