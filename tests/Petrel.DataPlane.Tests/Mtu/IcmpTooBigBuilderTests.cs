using System.Buffers.Binary;
using System.Net;
using Petrel.DataPlane.Mtu;
using Petrel.DataPlane.Tests.Packets;

namespace Petrel.DataPlane.Tests.Mtu;

/// <summary>
/// The ICMP errors are compared byte for byte with packets assembled here from the RFC 792 /
/// RFC 1191 §4 and RFC 4443 §3.2 layouts, with the test's own checksum code.
/// </summary>
public sealed class IcmpTooBigBuilderTests
{
    [Fact]
    public void Fragmentation_needed_matches_the_RFC_792_layout_and_quotes_the_original()
    {
        var original = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", payloadLength: 1472); // 1500 bytes, DF
        var output = new byte[1500];
        int n = IcmpTooBigBuilder.Write(original, 1438, output);

        // RFC 1812 §4.3.2.3: as much of the original as fits into 576 bytes.
        int quote = 576 - 28;
        var icmp = new byte[8 + quote];
        icmp[0] = 3;
        icmp[1] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), 1438);
        original.AsSpan(0, quote).CopyTo(icmp.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), TestPackets.Checksum(icmp));
        var expected = new byte[20 + icmp.Length];
        expected[0] = 0x45;
        expected[1] = 0xC0;
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(2), (ushort)expected.Length);
        expected[8] = 64;
        expected[9] = 1;
        IPAddress.Parse("10.2.0.1").GetAddressBytes().CopyTo(expected, 12);
        IPAddress.Parse("10.1.0.1").GetAddressBytes().CopyTo(expected, 16);
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(10), TestPackets.Checksum(expected.AsSpan(0, 20)));
        icmp.CopyTo(expected, 20);

        Assert.Equal(576, n);
        Assert.Equal(expected, output[..n]);
        Assert.Equal(0, TestPackets.Checksum(output.AsSpan(0, 20)));     // header checksum verifies
        Assert.Equal(0, TestPackets.Checksum(output.AsSpan(20, n - 20))); // ICMP checksum verifies
    }

    [Fact]
    public void Packet_too_big_matches_the_RFC_4443_layout_with_the_pseudo_header_checksum()
    {
        var original = TestPackets.Ipv6Icmp("2001:db8:1::1", "2001:db8:2::1", payloadLength: 1452); // 1500 bytes
        var output = new byte[1500];
        int n = IcmpTooBigBuilder.Write(original, 1438, output);

        int quote = 1280 - 48; // RFC 4443 §2.4 (c)
        var icmp = new byte[8 + quote];
        icmp[0] = 2;
        BinaryPrimitives.WriteUInt32BigEndian(icmp.AsSpan(4), 1438);
        original.AsSpan(0, quote).CopyTo(icmp.AsSpan(8));
        var pseudo = new byte[40 + icmp.Length];
        IPAddress.Parse("2001:db8:2::1").GetAddressBytes().CopyTo(pseudo, 0);
        IPAddress.Parse("2001:db8:1::1").GetAddressBytes().CopyTo(pseudo, 16);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)icmp.Length);
        pseudo[39] = 58;
        icmp.CopyTo(pseudo, 40);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), TestPackets.Checksum(pseudo));
        var expected = TestPackets.Ipv6("2001:db8:2::1", "2001:db8:1::1", 58, icmp);

        Assert.Equal(1280, n);
        Assert.Equal(expected, output[..n]);
    }

    [Fact]
    public void Packet_too_big_never_reports_less_than_1280()
    {
        var original = TestPackets.Ipv6Icmp("2001:db8:1::1", "2001:db8:2::1", payloadLength: 1400);
        var output = new byte[1500];
        int n = IcmpTooBigBuilder.Write(original, 1000, output);
        Assert.True(n > 0);
        Assert.Equal(1280u, BinaryPrimitives.ReadUInt32BigEndian(output.AsSpan(44)));
    }

    [Fact]
    public void No_error_about_an_ICMP_error_a_later_fragment_or_a_multicast_source()
    {
        var output = new byte[1500];
        var unreachable = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", 600);
        unreachable[20] = 3;
        Assert.Equal(0, IcmpTooBigBuilder.Write(unreachable, 1400, output));

        var fragment = TestPackets.Ipv4Udp("10.1.0.1", "10.2.0.1", 1, 2, 1000);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(6), 0x4000 | 100);
        Assert.Equal(0, IcmpTooBigBuilder.Write(fragment, 1400, output));

        var multicast = TestPackets.Ipv4Udp("224.0.0.5", "10.2.0.1", 1, 2, 1000);
        Assert.Equal(0, IcmpTooBigBuilder.Write(multicast, 1400, output));

        var v6Error = TestPackets.Ipv6Icmp("2001:db8:1::1", "2001:db8:2::1", 1400);
        v6Error[40] = 1; // Destination Unreachable
        Assert.Equal(0, IcmpTooBigBuilder.Write(v6Error, 1400, output));
    }

    [Fact]
    public void Rate_limiter_allows_a_burst_then_refills_at_the_rate()
    {
        var limiter = new IcmpRateLimiter(perSecond: 10, burst: 3);
        Assert.True(limiter.TryAcquire(1000));
        Assert.True(limiter.TryAcquire(1000));
        Assert.True(limiter.TryAcquire(1000));
        Assert.False(limiter.TryAcquire(1000));
        Assert.False(limiter.TryAcquire(1050));
        Assert.True(limiter.TryAcquire(1100));  // one token per 100 ms
        Assert.False(limiter.TryAcquire(1100));
        Assert.True(limiter.TryAcquire(5000));
    }
}
