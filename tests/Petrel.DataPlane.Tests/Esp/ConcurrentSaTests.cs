using System.Buffers.Binary;
using System.Net;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;

namespace Petrel.DataPlane.Tests.Esp;

/// <summary>
/// One pipeline per core: several packet threads seal and open packets of the same SA at once,
/// each on its own context lane. Sequence numbers, the replay window and the counters must stay
/// exact, and every packet must still decrypt to what was sent (lanes sharing a native context
/// would corrupt it).
/// </summary>
public class ConcurrentSaTests
{
    private const int Threads = 4;

    /// <summary>Inner packets 10.1.0.x → 10.2.0.1 whose payload names the thread and index, so every one is distinct.</summary>
    private static byte[] Inner(int thread, int index, int payload = 64)
    {
        var p = TestPackets.Ipv4Udp("10.1.0.1", "10.2.0.1", (ushort)(1000 + thread), 2000, payload);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(28), thread);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(32), index);
        return p;
    }

    private static void OnThreads(int threads, Action<int> body)
    {
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            PacketLane.Current = t;
            start.SignalAndWait();
            body(t);
        })).ToArray();
        foreach (var w in workers)
            w.Start();
        foreach (var w in workers)
            w.Join();
    }

    private static uint WireSequence(byte[] esp) => BinaryPrimitives.ReadUInt32BigEndian(esp.AsSpan(4));

    [Theory]
    [InlineData("aes128gcm16", null, false)]
    [InlineData("aes128", "sha256", false)]
    [InlineData("aes128", "sha256", true)]
    public void Threads_sealing_on_one_sa_use_every_sequence_number_once_and_every_packet_opens(string encryption, string? integrity, bool esn)
    {
        const int perThread = 3000;
        using var pair = KernelPair.Catalog(encryption, integrity, esn, link: false, replayWindow: ReplayWindow.MaxSize, packetThreads: Threads);
        ulong start = esn ? uint.MaxValue - 5000UL : 0;    // with ESN, cross into the next 2^32 subspace meanwhile
        Assert.True(pair.A.ResumeOutboundSequence(KernelPair.ReqId, start));
        // RFC 4303 App. A2: the receiver infers the high bits from its window, so put it where the sender is.
        if (start > 0)
            Assert.True(pair.B.ResumeInboundWindow(KernelPair.SpiAToB, start));
        var inner = new byte[Threads][][];
        int failures = 0;
        OnThreads(Threads, t =>
        {
            inner[t] = new byte[perThread][];
            for (int i = 0; i < perThread; i++)
            {
                inner[t][i] = Inner(t, i);
                if (KernelPair.Send(pair.A, inner[t][i]) != DropReason.None)
                    Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
        const int total = Threads * perThread;
        var sent = pair.OuterA.Sent.Select(s => s.Packet).ToList();
        Assert.Equal(total, sent.Count);
        // Every number start+1 .. start+total exactly once (on the wire: the low 32 bits).
        var expected = Enumerable.Range(1, total).Select(i => (uint)(start + (ulong)i)).Order().ToArray();
        Assert.Equal(expected, sent.Select(WireSequence).Order().ToArray());
        Assert.True(pair.A.TryGetCounters(KernelPair.SpiAToB, SaDirection.Outbound, out var outCounters));
        Assert.Equal((ulong)total, outCounters.Packets);
        Assert.Equal((ulong)inner.Sum(t => t.Sum(p => p.Length)), outCounters.Bytes);

        // Open them on B from all threads, in an order that differs from the send order.
        var shuffled = sent.OrderBy(_ => Random.Shared.Next()).ToArray();
        var results = new DropReason[total];
        OnThreads(Threads, t =>
        {
            for (int i = t; i < total; i += Threads)
                results[i] = pair.B.ProcessInbound(shuffled[i].AsSpan());
        });
        Assert.All(results, r => Assert.Equal(DropReason.None, r));
        var received = pair.TunB.Written.Select(Convert.ToHexString).Order().ToArray();
        Assert.Equal(inner.SelectMany(t => t).Select(Convert.ToHexString).Order().ToArray(), received);
    }

    [Theory]
    [InlineData("aes128gcm16", null)]
    [InlineData("aes128", "sha256")]
    public void Concurrent_opens_accept_each_packet_exactly_once_and_reject_every_replay(string encryption, string? integrity)
    {
        const int packets = 6000;
        using var pair = KernelPair.Catalog(encryption, integrity, link: false, replayWindow: ReplayWindow.MaxSize, packetThreads: Threads);
        var inner = Enumerable.Range(0, packets).Select(i => Inner(0, i, 40 + i % 200)).ToArray();
        foreach (var p in inner)
            Assert.Equal(DropReason.None, KernelPair.Send(pair.A, p));
        var sent = pair.OuterA.Sent.Select(s => s.Packet).ToArray();

        // Every packet twice, the two copies handed to different threads in a shuffled order.
        var deliveries = sent.SelectMany((p, i) => new[] { (Packet: p, Thread: i % Threads), (Packet: p, Thread: (i + 1) % Threads) })
            .OrderBy(_ => Random.Shared.Next()).ToArray();
        int accepted = 0, replays = 0, other = 0;
        OnThreads(Threads, t =>
        {
            foreach (var (packet, thread) in deliveries)
            {
                if (thread != t)
                    continue;
                var copy = (byte[])packet.Clone();     // opening decrypts in place
                switch (pair.B.ProcessInbound(copy.AsSpan()))
                {
                    case DropReason.None: Interlocked.Increment(ref accepted); break;
                    case DropReason.Replay: Interlocked.Increment(ref replays); break;
                    default: Interlocked.Increment(ref other); break;
                }
            }
        });

        Assert.Equal(packets, accepted);
        Assert.Equal(packets, replays);
        Assert.Equal(0, other);
        Assert.Equal(packets, pair.B.Statistics.Decapsulated);
        Assert.Equal(packets, pair.B.Statistics.Dropped(DropReason.Replay));
        Assert.True(pair.B.TryGetCounters(KernelPair.SpiAToB, SaDirection.Inbound, out var c));
        Assert.Equal((ulong)packets, c.Packets);
        Assert.Equal((ulong)inner.Sum(p => p.Length), c.Bytes);
        Assert.Equal((ulong)packets, c.ReplayDrops);
        Assert.Equal(inner.Select(Convert.ToHexString).Order().ToArray(), pair.TunB.Written.Select(Convert.ToHexString).Order().ToArray());
    }

    [Fact]
    public void Reserved_batches_are_consecutive_and_interleave_with_single_seals_without_sharing_a_number()
    {
        const int rounds = 400, batch = 10;
        using var pair = KernelPair.Catalog("aes128", "sha256", link: false, packetThreads: Threads);
        var bad = new List<string>();
        OnThreads(Threads, t =>
        {
            var buffer = new byte[UserspaceKernel.Headroom + 2048 + UserspaceKernel.Tailroom];
            for (int r = 0; r < rounds; r++)
            {
                var first = Inner(t, r * 100);
                if (t % 2 == 1)
                {
                    // Odd threads seal one packet at a time.
                    if (KernelPair.Send(pair.A, first) != DropReason.None)
                    {
                        lock (bad) bad.Add($"thread {t}: single seal failed");
                    }
                    continue;
                }
                if (!pair.A.TryReserveOutbound(first, batch, 0, out var reservation))
                {
                    lock (bad) bad.Add($"thread {t}: no reservation");
                    continue;
                }
                for (int i = 0; i < batch; i++)
                {
                    var p = Inner(t, r * 100 + i);
                    p.CopyTo(buffer, UserspaceKernel.Headroom);
                    var result = pair.A.SealReserved(reservation, i, buffer, UserspaceKernel.Headroom, p.Length, out int off, out int len, out var peer);
                    uint seq = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(off + 4));
                    if (result != DropReason.None || peer is null || seq != reservation.FirstSequence + (ulong)i)
                    {
                        lock (bad) bad.Add($"thread {t} batch {r} segment {i}: {result}, sequence {seq}, first {reservation.FirstSequence}");
                    }
                }
            }
        });

        Assert.Empty(bad);
        int singles = Threads / 2 * rounds, batched = Threads / 2 * rounds * batch;
        Assert.True(pair.A.TryGetCounters(KernelPair.SpiAToB, SaDirection.Outbound, out var c));
        Assert.Equal((ulong)(singles + batched), c.Packets);
        // The singles went out through the transport; their numbers are exactly the ones no batch claimed.
        var singleSeqs = pair.OuterA.Sent.Select(s => WireSequence(s.Packet)).ToHashSet();
        Assert.Equal(singles, singleSeqs.Count);
        Assert.True(singleSeqs.All(s => s >= 1 && s <= singles + batched));
        Assert.True(pair.A.TryReserveOutbound(Inner(0, 0), 1, 0, out var next));
        Assert.Equal((ulong)(singles + batched + 1), next.FirstSequence);
    }

    [Fact]
    public void Threads_racing_for_the_last_sequence_numbers_get_each_once_then_overflow()
    {
        using var pair = KernelPair.Catalog("aes128gcm16", null, link: false, packetThreads: Threads);
        Assert.True(pair.A.ResumeOutboundSequence(KernelPair.ReqId, uint.MaxValue - 100UL));
        int sent = 0, overflow = 0;
        OnThreads(Threads, t =>
        {
            for (int i = 0; i < 100; i++)
            {
                var r = KernelPair.Send(pair.A, Inner(t, i));
                if (r == DropReason.None)
                    Interlocked.Increment(ref sent);
                else if (r == DropReason.SequenceOverflow)
                    Interlocked.Increment(ref overflow);
            }
        });
        // RFC 4303 §3.3.3: 2^32-1 is the last number; the counter never cycles.
        Assert.Equal(100, sent);
        Assert.Equal(300, overflow);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => uint.MaxValue - 99u + (uint)i).ToArray(),
            pair.OuterA.Sent.Select(s => WireSequence(s.Packet)).Order().ToArray());
        Assert.False(pair.A.TryReserveOutbound(Inner(0, 0), 1, 0, out _));
    }

    [Fact]
    public void Rekey_during_traffic_from_several_threads_loses_no_packet()
    {
        // The largest window: with more sender threads than CPUs, a thread preempted between claiming its sequence
        // number and delivering the packet may fall behind the others by thousands of packets (CBC + HMAC seal in
        // ~2 us, so 4096 packets pass in one scheduler slice); the receiver would drop it as RFC 4303 §3.4.3 says,
        // which is not what this test is about.
        using var pair = KernelPair.Catalog("aes128", "sha256", link: true, replayWindow: SaSpec.MaxReplayWindow, packetThreads: Threads);
        const uint newSpiAToB = 0xb0b0b002;
        var key = new byte[16];
        var authKey = new byte[32];
        Random.Shared.NextBytes(key);
        Random.Shared.NextBytes(authKey);
        SaSpec Sa(SaDirection direction) => new()
        {
            Spi = newSpiAToB, Direction = direction, ReqId = KernelPair.ReqId, UdpEncapsulation = true, ReplayWindow = SaSpec.MaxReplayWindow,
            Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
            Encryption = Crypto.Algorithms.AlgorithmCatalog.FindKeyword("aes128")!.Transform, EncryptionKey = (byte[])key.Clone(),
            Integrity = Crypto.Algorithms.AlgorithmCatalog.FindKeyword("sha256")!.Transform, IntegrityKey = (byte[])authKey.Clone(),
        };
        using var stop = new CancellationTokenSource();
        int sent = 0, failed = 0;
        var senders = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            PacketLane.Current = t;
            for (int i = 0; !stop.IsCancellationRequested || i < 500; i++)
            {
                if (KernelPair.Send(pair.A, Inner(t, i)) == DropReason.None)
                    Interlocked.Increment(ref sent);
                else
                    Interlocked.Increment(ref failed);
            }
        })).ToArray();
        foreach (var s in senders)
            s.Start();
        // Wait for traffic on the old SA, then for traffic after the switch, by counts rather than sleeps
        // (a loaded machine may not schedule the senders within any fixed time).
        void AwaitSent(int count)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); Volatile.Read(ref sent) < count && DateTime.UtcNow < deadline;)
                Thread.Sleep(5);
        }
        AwaitSent(200);
        // Make-before-break (RFC 7296 §2.8): the peer's new inbound SA first, then our new outbound, then the old outbound goes.
        pair.B.InstallSa(Sa(SaDirection.Inbound));
        pair.A.InstallSa(Sa(SaDirection.Outbound));
        pair.A.RemoveSa(KernelPair.SpiAToB, SaDirection.Outbound);
        AwaitSent(Volatile.Read(ref sent) + 200);
        stop.Cancel();
        foreach (var s in senders)
            s.Join();

        Assert.Equal(0, failed);
        Assert.All(pair.OuterA.DeliveryResults, r => Assert.Equal(DropReason.None, r));
        Assert.Equal(sent, pair.OuterA.DeliveryResults.Count);
        Assert.True(pair.B.TryGetCounters(KernelPair.SpiAToB, SaDirection.Inbound, out var oldIn));
        Assert.True(pair.B.TryGetCounters(newSpiAToB, SaDirection.Inbound, out var newIn));
        Assert.True(oldIn.Packets > 0 && newIn.Packets > 0, $"old {oldIn.Packets}, new {newIn.Packets}");
        Assert.Equal((ulong)sent, oldIn.Packets + newIn.Packets);
        Assert.Equal(sent, pair.TunB.Written.Count);
    }
}
