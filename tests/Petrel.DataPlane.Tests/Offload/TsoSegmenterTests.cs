using System.Buffers.Binary;
using Petrel.DataPlane.Offload;

namespace Petrel.DataPlane.Tests.Offload;

public class TsoSegmenterTests
{
    private const int Mss = 1348;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Super_segment_becomes_wire_segments_with_own_headers_and_checksums(bool v6)
    {
        const int payload = 5000; // 3 × 1348 + 956
        const byte ackPshFin = 0x10 | 0x08 | 0x01;
        var super = TcpTestPackets.Tcp(v6, payload, seq: 1000, flags: ackPshFin, ipId: 100, partialChecksum: true);
        int ip = v6 ? 40 : 20;
        var h = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4,
            (ushort)(ip + TcpTestPackets.TcpHeaderLength), Mss, (ushort)ip, 16);

        int count = TsoSegmenter.SegmentCount(super, h, out int headerLength);
        Assert.Equal(4, count);
        Assert.Equal(ip + TcpTestPackets.TcpHeaderLength, headerLength);

        var dest = new byte[2000];
        for (int i = 0; i < count; i++)
        {
            int len = TsoSegmenter.WriteSegment(super, h, headerLength, i, count, dest);
            int chunk = i < 3 ? Mss : payload - 3 * Mss;
            Assert.Equal(headerLength + chunk, len);
            var seg = dest.AsSpan(0, len).ToArray();
            if (v6)
            {
                Assert.Equal(len - 40, BinaryPrimitives.ReadUInt16BigEndian(seg.AsSpan(4)));
            }
            else
            {
                Assert.Equal(len, BinaryPrimitives.ReadUInt16BigEndian(seg.AsSpan(2)));
                Assert.Equal(100 + i, BinaryPrimitives.ReadUInt16BigEndian(seg.AsSpan(4)));
                Assert.True(TcpTestPackets.Ipv4HeaderChecksumValid(seg));
            }
            Assert.Equal(1000u + (uint)(i * Mss), BinaryPrimitives.ReadUInt32BigEndian(seg.AsSpan(ip + 4)));
            Assert.Equal(i == 3 ? ackPshFin : 0x10, seg[ip + 13]);
            Assert.True(TcpTestPackets.TcpChecksumValid(seg), $"segment {i} checksum");
            Assert.Equal(super.AsSpan(ip + 20, 12).ToArray(), seg.AsSpan(ip + 20, 12).ToArray()); // timestamps kept
            Assert.Equal(super.AsSpan(headerLength + i * Mss, chunk).ToArray(), seg.AsSpan(headerLength, chunk).ToArray());
        }
    }

    [Fact]
    public void Partial_checksum_of_a_single_packet_is_completed()
    {
        var p = TcpTestPackets.Tcp(false, 300, seq: 5, flags: 0x18, partialChecksum: true);
        Assert.False(TcpTestPackets.TcpChecksumValid(p));
        var h = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoNone, 0, 0, 20, 16);
        Assert.True(TsoSegmenter.CompleteChecksum(p, h));
        Assert.True(TcpTestPackets.TcpChecksumValid(p));
    }

    [Fact]
    public void Headers_pointing_outside_the_packet_are_refused()
    {
        var p = TcpTestPackets.Tcp(false, 3000, seq: 5, flags: 0x10, partialChecksum: true);
        var beyond = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV4, 52, Mss, 4000, 16);
        Assert.Equal(0, TsoSegmenter.SegmentCount(p, beyond, out _));
        Assert.False(TsoSegmenter.CompleteChecksum(p, beyond));
        var wrongFamily = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV6, 52, Mss, 20, 16);
        Assert.Equal(0, TsoSegmenter.SegmentCount(p, wrongFamily, out _));
        var udpGso = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoUdpL4, 28, Mss, 20, 6);
        Assert.Equal(0, TsoSegmenter.SegmentCount(p, udpGso, out _));
    }
}
