using System.Buffers.Binary;
using System.Net;
using Petrel.DataPlane.Mtu;
using Petrel.DataPlane.Tests.Packets;

namespace Petrel.DataPlane.Tests.Mtu;

/// <summary>SYN segments built from the RFC 9293 layout; the checksum after clamping is compared with a full recomputation.</summary>
public sealed class TcpMssClampTests
{
    private static byte[] Syn(bool ipv6, byte[] options, byte flags = 0x02)
    {
        var tcp = new byte[20 + options.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), 5001);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), 0x11223344);
        tcp[12] = (byte)((tcp.Length / 4) << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 64240);
        options.CopyTo(tcp, 20);
        var packet = ipv6 ? TestPackets.Ipv6("2001:db8:1::1", "2001:db8:2::1", 6, tcp) : TestPackets.Ipv4("10.1.0.1", "10.2.0.1", 6, tcp);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(ipv6 ? 56 : 36), TcpChecksum(packet, ipv6));
        return packet;
    }

    /// <summary>RFC 9293 §3.1 / RFC 8200 §8.1: the TCP checksum over the pseudo-header and the segment, field zeroed.</summary>
    private static ushort TcpChecksum(byte[] packet, bool ipv6)
    {
        int l4 = ipv6 ? 40 : 20;
        var segment = packet.AsSpan(l4).ToArray();
        segment[16] = segment[17] = 0;
        var pseudo = new List<byte>();
        if (ipv6)
        {
            pseudo.AddRange(packet.AsSpan(8, 32).ToArray());
            pseudo.AddRange([0, 0, (byte)(segment.Length >> 8), (byte)segment.Length, 0, 0, 0, 6]);
        }
        else
        {
            pseudo.AddRange(packet.AsSpan(12, 8).ToArray());
            pseudo.AddRange([0, 6, (byte)(segment.Length >> 8), (byte)segment.Length]);
        }
        pseudo.AddRange(segment);
        return TestPackets.Checksum(pseudo.ToArray());
    }

    private static ushort Mss(byte[] packet, int at) => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(at));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Syn_mss_is_lowered_and_the_incremental_checksum_equals_a_full_one(bool ipv6)
    {
        // MSS 1460, SACK permitted, timestamps, NOP, window scale: what Linux sends.
        byte[] options = [2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
        var packet = Syn(ipv6, options);
        int l4 = ipv6 ? 40 : 20;

        Assert.True(TcpMssClamp.Clamp(packet, 1378));

        Assert.Equal(1378, Mss(packet, l4 + 22));
        Assert.Equal(TcpChecksum(packet, ipv6), BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(l4 + 16)));
    }

    [Fact]
    public void An_mss_option_at_an_odd_offset_is_handled()
    {
        byte[] options = [1, 2, 4, 0x23, 0x28, 1, 1, 0]; // NOP, MSS 9000 at offset 3, NOP, NOP, EOL
        var packet = Syn(false, options, flags: 0x12); // SYN-ACK

        Assert.True(TcpMssClamp.Clamp(packet, 1398));

        Assert.Equal(1398, Mss(packet, 20 + 23));
        Assert.Equal(TcpChecksum(packet, false), BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(36)));
    }

    [Fact]
    public void Segments_without_syn_smaller_mss_or_broken_options_are_untouched()
    {
        byte[] mss1460 = [2, 4, 0x05, 0xB4];
        var ack = Syn(false, mss1460, flags: 0x10);
        var small = Syn(false, [2, 4, 0x02, 0x00]);
        var broken = Syn(false, [8, 40, 0, 0]); // option length beyond the header
        foreach (var p in new[] { ack, small, broken })
        {
            var before = p.ToArray();
            Assert.False(TcpMssClamp.Clamp(p, 1000));
            Assert.Equal(before, p);
        }
    }

    [Fact]
    public void Mss_for_fits_the_ip_and_tcp_headers()
    {
        Assert.Equal(1398, TcpMssClamp.MssFor(1438, 4));
        Assert.Equal(1378, TcpMssClamp.MssFor(1438, 6));
    }
}
