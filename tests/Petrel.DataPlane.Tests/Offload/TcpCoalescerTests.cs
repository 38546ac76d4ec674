using System.Buffers.Binary;
using Petrel.DataPlane.Offload;

namespace Petrel.DataPlane.Tests.Offload;

public class TcpCoalescerTests
{
    private const int Mss = 1348;

    /// <summary>Packs packets into one buffer (as decrypted ESP payloads sit in one receive buffer) with gaps between them.</summary>
    private static (byte[] Buffer, List<(int Offset, int Length)> At) Pack(params byte[][] packets)
    {
        var buffer = new byte[packets.Sum(p => p.Length + 64)];
        var at = new List<(int, int)>();
        int off = 16;
        foreach (var p in packets)
        {
            p.CopyTo(buffer, off);
            at.Add((off, p.Length));
            off += p.Length + 48;
        }
        return (buffer, at);
    }

    private static void AddAll(TcpCoalescer c, byte[] buffer, List<(int Offset, int Length)> at)
    {
        foreach (var (o, l) in at)
            Assert.True(c.Add(buffer, o, l));
        Assert.True(c.Flush());
    }

    private static byte[][] Segments(bool v6, int count, uint seq = 1000, byte lastFlags = 0x18, int lastPayload = 600)
    {
        var list = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            bool last = i == count - 1;
            list[i] = TcpTestPackets.Tcp(v6, last ? lastPayload : Mss, seq + (uint)(i * Mss), last ? lastFlags : (byte)0x10,
                ipId: (ushort)(100 + i), payloadSeed: i + 1);
        }
        return list;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void In_order_segments_become_one_gso_packet_that_resegments_to_the_originals(bool v6)
    {
        var originals = Segments(v6, 5);
        var (buffer, at) = Pack(originals);
        var device = new RecordingGsoDevice();
        var c = new TcpCoalescer(device);
        AddAll(c, buffer, at);

        var (header, packet) = Assert.Single(device.Writes);
        int ip = v6 ? 40 : 20;
        Assert.NotNull(header);
        var h = header!.Value;
        Assert.Equal(v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, h.GsoType);
        Assert.Equal(VirtioNetHeader.FlagNeedsChecksum, h.Flags);
        Assert.Equal(Mss, h.GsoSize);
        Assert.Equal(ip, h.ChecksumStart);
        Assert.Equal(16, h.ChecksumOffset);
        Assert.Equal(ip + TcpTestPackets.TcpHeaderLength, h.HeaderLength);
        Assert.Equal(ip + TcpTestPackets.TcpHeaderLength + 4 * Mss + 600, packet.Length);
        if (!v6)
            Assert.True(TcpTestPackets.Ipv4HeaderChecksumValid(packet));
        Assert.Equal(0x18, packet[ip + 13]); // PSH of the last segment carried over

        // What the kernel would do with it (tcp_gso_segment) must give back the segments sent.
        int count = TsoSegmenter.SegmentCount(packet, h, out int headerLength);
        Assert.Equal(5, count);
        var seg = new byte[2000];
        for (int i = 0; i < count; i++)
        {
            int len = TsoSegmenter.WriteSegment(packet, h, headerLength, i, count, seg);
            Assert.Equal(originals[i], seg.AsSpan(0, len).ToArray());
        }
        Assert.Equal(5, c.CoalescedSegments);
    }

    [Fact]
    public void A_gap_in_sequence_numbers_starts_a_new_packet()
    {
        var a = Segments(false, 2, seq: 1000, lastFlags: 0x10, lastPayload: Mss);
        var b = Segments(false, 2, seq: 1000 + 3 * Mss, lastFlags: 0x10, lastPayload: Mss); // one segment lost
        var (buffer, at) = Pack([.. a, .. b]);
        var device = new RecordingGsoDevice();
        AddAll(new TcpCoalescer(device), buffer, at);
        Assert.Equal(2, device.Writes.Count);
        Assert.All(device.Writes, w => Assert.Equal(2 * Mss + 52, w.Packet.Length));
    }

    [Fact]
    public void Different_flows_non_tcp_and_pure_acks_are_not_merged()
    {
        var x = TcpTestPackets.Tcp(false, Mss, 1000, 0x10, srcPort: 40000);
        var y = TcpTestPackets.Tcp(false, Mss, 1000 + Mss, 0x10, srcPort: 40001);
        var ack = TcpTestPackets.Tcp(false, 0, 5, 0x10);
        var udp = TcpTestPackets.Tcp(false, 100, 5, 0x10);
        udp[9] = 17;
        var (buffer, at) = Pack(x, y, ack, udp);
        var device = new RecordingGsoDevice();
        var c = new TcpCoalescer(device);
        AddAll(c, buffer, at);
        Assert.Equal(4, device.Writes.Count);
        Assert.All(device.Writes, w => Assert.Null(w.Header));
        Assert.Equal(x, device.Writes[0].Packet); // untouched
    }

    [Fact]
    public void A_segment_with_a_bad_checksum_is_written_alone_unchanged()
    {
        var segs = Segments(false, 3, lastFlags: 0x10, lastPayload: Mss);
        segs[1][^1] ^= 0x55; // corrupt payload, checksum now wrong
        var (buffer, at) = Pack(segs);
        var device = new RecordingGsoDevice();
        AddAll(new TcpCoalescer(device), buffer, at);
        Assert.Equal(3, device.Writes.Count);
        Assert.Equal(segs[1], device.Writes[1].Packet);
        Assert.All(device.Writes, w => Assert.Null(w.Header));
    }

    [Fact]
    public void A_long_run_is_cut_before_64_KB()
    {
        var segs = new List<byte[]>();
        uint seq = 1;
        for (int i = 0; i < 60; i++)
        {
            segs.Add(TcpTestPackets.Tcp(false, Mss, seq, 0x10, ipId: (ushort)i, payloadSeed: i));
            seq += Mss;
        }
        var (buffer, at) = Pack([.. segs]);
        var device = new RecordingGsoDevice();
        AddAll(new TcpCoalescer(device), buffer, at);
        Assert.True(device.Writes.Count >= 2);
        Assert.All(device.Writes, w => Assert.True(w.Packet.Length <= 65535));
        Assert.Equal(60 * Mss, device.Writes.Sum(w => w.Packet.Length - 52));
        Assert.Equal(48 * Mss + 52, device.Writes[0].Packet.Length); // 48 × 1348 + 52 ≤ 65535 < 49 × 1348 + 52
        Assert.Equal(48, BinaryPrimitives.ReadUInt16BigEndian(device.Writes[0].Packet.AsSpan(2)) / Mss);
    }
}
