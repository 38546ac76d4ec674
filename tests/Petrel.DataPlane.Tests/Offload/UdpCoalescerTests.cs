using System.Buffers.Binary;
using System.Net;
using Petrel.DataPlane.Offload;

namespace Petrel.DataPlane.Tests.Offload;

public class UdpCoalescerTests
{
    /// <summary>A UDP datagram built field by field (RFC 768, RFC 791 / RFC 8200), with the reference checksum.</summary>
    internal static byte[] Udp(bool v6, int payloadLength, ushort ipId = 100, int payloadSeed = 1, ushort srcPort = 40000, bool zeroChecksum = false)
    {
        int ip = v6 ? 40 : 20;
        var p = new byte[ip + 8 + payloadLength];
        if (v6)
        {
            p[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(8 + payloadLength));
            p[6] = 17;
            p[7] = 64;
            IPAddress.Parse("fd00:1::1").GetAddressBytes().CopyTo(p, 8);
            IPAddress.Parse("fd00:2::1").GetAddressBytes().CopyTo(p, 24);
        }
        else
        {
            p[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), ipId);
            p[6] = 0x40; // DF
            p[8] = 64;
            p[9] = 17;
            IPAddress.Parse("10.1.0.1").GetAddressBytes().CopyTo(p, 12);
            IPAddress.Parse("10.2.0.1").GetAddressBytes().CopyTo(p, 16);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), TcpTestPackets.Checksum(p.AsSpan(0, 20), 0));
        }
        var u = p.AsSpan(ip);
        BinaryPrimitives.WriteUInt16BigEndian(u, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(u[2..], 5201);
        BinaryPrimitives.WriteUInt16BigEndian(u[4..], (ushort)u.Length);
        new Random(payloadSeed).NextBytes(u[8..]);
        if (!zeroChecksum)
        {
            uint pseudo = TcpTestPackets.PseudoSum(p, u.Length) - 6 + 17;
            ushort c = TcpTestPackets.Checksum(u, pseudo);
            BinaryPrimitives.WriteUInt16BigEndian(u[6..], c == 0 ? (ushort)0xFFFF : c);
        }
        return p;
    }

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

    private static RecordingGsoDevice Coalesce(params byte[][] packets) => Coalesce(new RecordingGsoDevice(), UdpCoalescer.MaxSegments, packets);

    private static RecordingGsoDevice Coalesce(RecordingGsoDevice device, int maxSegments, params byte[][] packets)
    {
        var (buffer, at) = Pack(packets);
        var c = new UdpCoalescer(device, maxSegments);
        foreach (var (o, l) in at)
            Assert.True(c.Add(buffer, o, l));
        Assert.True(c.Flush());
        return device;
    }

    [Theory]
    [InlineData(false, 1300)]
    [InlineData(true, 1300)]
    [InlineData(false, 100)]
    public void Datagrams_of_one_flow_become_one_gso_write_that_splits_back_into_the_originals(bool v6, int size)
    {
        var originals = Enumerable.Range(0, 6).Select(i => Udp(v6, i == 5 ? size / 2 : size, ipId: (ushort)(100 + i), payloadSeed: i + 1)).ToArray();
        var device = Coalesce(originals);

        var (header, packet) = Assert.Single(device.Writes);
        var h = Assert.NotNull(header);
        int ip = v6 ? 40 : 20;
        Assert.Equal(VirtioNetHeader.GsoUdpL4, h.GsoType);
        Assert.Equal(VirtioNetHeader.FlagNeedsChecksum, h.Flags);
        Assert.Equal(size, h.GsoSize);
        Assert.Equal(ip, h.ChecksumStart);
        Assert.Equal(6, h.ChecksumOffset);
        Assert.Equal(ip + 8, h.HeaderLength);
        Assert.Equal(ip + 8 + 5 * size + size / 2, packet.Length);
        if (!v6)
            Assert.Equal(0, TcpTestPackets.Checksum(packet.AsSpan(0, 20), 0));

        // What __udp_gso_segment does with it (here: TsoSegmenter's UDP path) gives back the datagrams sent.
        int count = TsoSegmenter.SegmentCount(packet, h, out int headerLength);
        Assert.Equal(6, count);
        var seg = new byte[2000];
        for (int i = 0; i < count; i++)
        {
            int len = TsoSegmenter.WriteSegment(packet, h, headerLength, i, count, seg);
            Assert.Equal(originals[i], seg.AsSpan(0, len).ToArray());
        }
    }

    [Fact]
    public void A_corrupted_datagram_is_written_alone_and_ends_nothing_else()
    {
        var a = Udp(false, 500, ipId: 1, payloadSeed: 1);
        var bad = Udp(false, 500, ipId: 2, payloadSeed: 2);
        bad[^1] ^= 0x55; // the checksum no longer verifies: the stack must see it as it came
        var c = Udp(false, 500, ipId: 3, payloadSeed: 3);
        var d = Udp(false, 500, ipId: 4, payloadSeed: 4);
        var device = Coalesce(a, bad, c, d);

        Assert.Equal(3, device.Writes.Count);
        Assert.Null(device.Writes[0].Header);          // a alone: the run was cut by the bad one
        Assert.Equal(a, device.Writes[0].Packet);
        Assert.Null(device.Writes[1].Header);
        Assert.Equal(bad, device.Writes[1].Packet);
        Assert.Equal(VirtioNetHeader.GsoUdpL4, device.Writes[2].Header!.Value.GsoType); // c + d
    }

    [Fact]
    public void Another_flow_a_larger_datagram_or_one_after_a_short_one_starts_a_new_write()
    {
        var device = Coalesce(
            Udp(false, 400, payloadSeed: 1), Udp(false, 400, payloadSeed: 2),
            Udp(false, 400, payloadSeed: 3, srcPort: 40001),                 // other flow
            Udp(false, 200, payloadSeed: 4, srcPort: 40001),                 // shorter: joins, closes
            Udp(false, 200, payloadSeed: 5, srcPort: 40001),                 // after a short one: new run
            Udp(false, 300, payloadSeed: 6, srcPort: 40001));               // larger than 200: new run
        Assert.Equal([2, 2, 1, 1], device.Writes.Select(w => w.Header is null ? 1 : CountOf(w)).ToArray());
    }

    [Fact]
    public void A_datagram_without_checksum_joins_and_the_stack_fills_checksums_in()
    {
        var device = Coalesce(Udp(false, 600, zeroChecksum: true), Udp(false, 600, payloadSeed: 2, zeroChecksum: true));
        var (header, packet) = Assert.Single(device.Writes);
        Assert.Equal(VirtioNetHeader.GsoUdpL4, header!.Value.GsoType);
        Assert.Equal(20 + 8 + 1200, packet.Length);
    }

    [Fact]
    public void A_run_stops_at_the_segment_limit_and_the_rest_starts_the_next_write()
    {
        var originals = Enumerable.Range(0, 10).Select(i => Udp(false, 700, ipId: (ushort)i, payloadSeed: i + 1)).ToArray();
        var device = Coalesce(new RecordingGsoDevice(), 4, originals);
        Assert.Equal([4, 4, 2], device.Writes.Select(CountOf).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpCoalescer(device, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpCoalescer(device, UdpCoalescer.MaxSegments + 1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_refused_gso_write_goes_out_as_the_original_datagrams_and_coalescing_stops(bool v6)
    {
        var originals = Enumerable.Range(0, 5).Select(i => Udp(v6, i == 4 ? 300 : 900, ipId: (ushort)(20 + i), payloadSeed: i + 7)).ToArray();
        var device = new RecordingGsoDevice { RefuseGso = true };
        var (buffer, at) = Pack(originals);
        var c = new UdpCoalescer(device);
        for (int i = 0; i < 3; i++)
            Assert.True(c.Add(buffer, at[i].Offset, at[i].Length));
        Assert.True(c.Flush());      // refused, then written one by one
        Assert.True(c.Refused);
        for (int i = 3; i < 5; i++)
            Assert.True(c.Add(buffer, at[i].Offset, at[i].Length));
        Assert.True(c.Flush());

        Assert.All(device.Writes, w => Assert.Null(w.Header));
        Assert.Equal(originals, device.Writes.Select(w => w.Packet).ToArray());
        Assert.Equal(0, c.GsoWrites);
        Assert.Equal(5, c.SinglePackets);
    }

    private static int CountOf((VirtioNetHeader? Header, byte[] Packet) write)
    {
        var h = write.Header!.Value;
        return TsoSegmenter.SegmentCount(write.Packet, h, out _);
    }
}
