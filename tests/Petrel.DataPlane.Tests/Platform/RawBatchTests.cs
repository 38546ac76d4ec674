using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.DataPlane.Tests.TestCrypto;
using Petrel.Platform.Host;
using Petrel.Platform.Net;
using Petrel.Platform.Tun;
using Xunit.Abstractions;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// Raw protocol 50 sockets with recvmmsg/sendmmsg, in a namespace of their own (natt-raw): a
/// burst queued on the socket comes back in a few calls with every packet intact, and a data
/// plane host whose reader starts after a burst of 200 sealed ESP packets opens all of them
/// while its statistics count far fewer receive calls than packets.
/// </summary>
[Collection("netns")]
public sealed class RawBatchTests(ITestOutputHelper output)
{
    private const string Ns = "natt-raw";

    private static void Cleanup() => Shell.Run("ip", "netns", "del", Ns);

    private static NamespaceThread CreateNamespace()
    {
        Cleanup();
        Shell.Must("ip", "netns", "add", Ns);
        Shell.Must("ip", "-n", Ns, "link", "set", "lo", "up");
        Shell.Must("ip", "-n", Ns, "addr", "add", "198.18.0.2/32", "dev", "lo");
        return new NamespaceThread(Ns);
    }

    /// <summary>A fake ESP packet: SPI, sequence number i, then length-8 bytes derived from i.</summary>
    private static byte[] Packet(int i)
    {
        var p = new byte[40 + (i * 37) % 1400];
        BinaryPrimitives.WriteUInt32BigEndian(p, 0x4e415454);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), (uint)i);
        for (int k = 8; k < p.Length; k++)
            p[k] = (byte)(i + k);
        return p;
    }

    [RootTheory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Burst_is_received_in_fewer_calls_than_packets_and_sent_with_sendmmsg(string address)
    {
        const int count = 100;
        using var thread = CreateNamespace();
        try
        {
            var family = IPAddress.Parse(address).AddressFamily;
            var (receiver, sender) = thread.Run(() => (new RawIpSocket(family, RawIpSocket.EspProtocol), new RawIpSocket(family, RawIpSocket.EspProtocol)));
            using var r = receiver;
            using var s = sender;
            using var batch = new RawReceiveBatch();

            // Two sendmmsg batches of 50 packets of different sizes, packed back to back.
            var destination = RawIpSocket.Destination(IPAddress.Parse(address));
            for (int first = 0; first < count; first += 50)
            {
                var lengths = new int[50];
                var packed = new List<byte>();
                for (int i = 0; i < 50; i++)
                {
                    var p = Packet(first + i);
                    lengths[i] = p.Length;
                    packed.AddRange(p);
                }
                Assert.Equal(50, s.SendBatch(packed.ToArray(), lengths, destination));
            }

            var received = new List<byte[]>();
            int calls = 0, callsWithoutAllocation = 0;
            while (received.Count < count)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                int n = r.ReceiveBatch(batch, 2000);
                if (GC.GetAllocatedBytesForCurrentThread() == before)
                    callsWithoutAllocation++;
                Assert.True(n > 0, $"only {received.Count} of {count} packets arrived");
                calls++;
                for (int i = 0; i < n; i++)
                    received.Add(batch.Buffer.AsSpan(batch.Offset(i), batch.Length(i)).ToArray());
            }
            output.WriteLine($"{address}: {count} packets sent in {s.BatchSendCalls} sendmmsg calls, received in {calls} recvmmsg calls (socket counters {r.BatchReceiveCalls} calls / {r.BatchReceivedPackets} packets), {callsWithoutAllocation} calls allocated 0 B");
            // A per-packet or per-call allocation would show in every call; a one-off JIT may show in one.
            Assert.True(callsWithoutAllocation >= calls - 1, $"{calls - callsWithoutAllocation} of {calls} receive calls allocated");
            for (int i = 0; i < count; i++)
                Assert.Equal(Packet(i), received[i]);
            Assert.True(calls <= count / RawReceiveBatch.DefaultCapacity + 1, $"{calls} receive calls for {count} packets");
            Assert.Equal(calls, r.BatchReceiveCalls);
            Assert.Equal(count, r.BatchReceivedPackets);
            Assert.InRange(s.BatchSendCalls, 2, 4);
            Assert.Equal(count, s.BatchSentPackets);
            // Every slot keeps the inbound headroom in front of its packet.
            Assert.All(Enumerable.Range(0, batch.Count), i => Assert.True(batch.Offset(i) % batch.Stride >= UserspaceKernel.InboundHeadroom));
        }
        finally
        {
            Cleanup();
        }
    }

    [RootFact]
    public void Host_reader_opens_a_queued_burst_of_esp_with_few_receive_calls()
    {
        const int count = 200;
        const uint spi = 0x4e410001;
        var key = Enumerable.Range(7, 20).Select(i => (byte)i).ToArray();
        var local = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 0);
        var remote = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 0);
        SaSpec Sa(SaDirection d, IPEndPoint src, IPEndPoint dst) => new()
        {
            Spi = spi, Direction = d, Source = src, Destination = dst,
            Encryption = TestTransforms.AesGcm16(128), EncryptionKey = (byte[])key.Clone(), ReqId = 1, ReplayWindow = 1024,
        };
        PolicySpec Policy(string localTs, string remoteTs, IPEndPoint me, IPEndPoint them) => new()
        {
            ReqId = 1, LocalTs = [TrafficSelector.Parse(localTs)], RemoteTs = [TrafficSelector.Parse(remoteTs)],
            LocalAddress = me.Address, RemoteAddress = them.Address,
        };

        // The peer's side, in memory: seals count ICMP echo requests 10.1.0.1 -> 10.2.0.1.
        var wire = new CapturingTransport();
        using (var peer = new UserspaceKernel(wire, new CapturingTunnel(), algorithms: TestAlgorithmProvider.Instance))
        {
            peer.InstallSa(Sa(SaDirection.Outbound, remote, local));
            peer.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24", remote, local));
            for (int i = 0; i < count; i++)
            {
                var inner = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", payloadLength: 56 + i % 300, seq: (ushort)i);
                var buffer = new byte[UserspaceKernel.Headroom + inner.Length + UserspaceKernel.Tailroom];
                inner.CopyTo(buffer, UserspaceKernel.Headroom);
                Assert.Equal(DropReason.None, peer.ProcessOutbound(buffer, UserspaceKernel.Headroom, inner.Length));
            }
        }
        Assert.Equal(count, wire.Sent.Count);

        using var thread = CreateNamespace();
        DataPlaneHost? host = null;
        try
        {
            Shell.Must("ip", "-n", Ns, "addr", "add", "10.2.0.1/32", "dev", "lo");
            RawIpSocket? sender = null;
            host = thread.Run(() =>
            {
                var tun = TunDevice.Open("natt0");
                tun.Configure(TunDevice.DefaultMtu);
                var sockets = new UdpTransport(ikePort: 0, natTPort: 4500, rawEsp: true);
                var kernel = new UserspaceKernel(sockets, tun, routes: null, TestAlgorithmProvider.Instance);
                kernel.InstallSa(Sa(SaDirection.Inbound, remote, local));
                kernel.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24", local, remote));
                sender = new RawIpSocket(AddressFamily.InterNetwork, RawIpSocket.EspProtocol);
                return new DataPlaneHost(tun, sockets, kernel, onIke: null);
            });
            using (sender)
            {
                // Queued on the host's raw socket before its reader thread exists.
                var to = RawIpSocket.Destination(IPAddress.Parse("198.18.0.2"));
                foreach (var (_, esp) in wire.Sent)
                    Assert.True(sender!.Send(esp, to));
            }
            thread.Run(host.Start);
            var stats = host.Kernel.Statistics;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (stats.Decapsulated < count && DateTime.UtcNow < deadline)
                Thread.Sleep(20);
            output.WriteLine($"decapsulated {stats.Decapsulated}, raw receive calls {stats.RawReceiveCalls} for {stats.RawPacketsReceived} packets; drops: {string.Join(",", stats.Drops())}");
            Assert.Equal(count, stats.Decapsulated);
            Assert.Equal(count, stats.RawPacketsReceived);
            Assert.True(stats.RawReceiveCalls <= count / RawReceiveBatch.DefaultCapacity + 2, $"{stats.RawReceiveCalls} receive calls for {count} packets");
            Assert.True(host.Kernel.TryGetCounters(spi, SaDirection.Inbound, out var counters));
            Assert.Equal((ulong)count, counters.Packets);
        }
        finally
        {
            if (host is not null)
                thread.Run(host.Dispose);
            Cleanup();
        }
    }
}
