using System.Buffers.Binary;
using System.Net;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Mtu;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Tests.Esp;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;

namespace Petrel.DataPlane.Tests.Mtu;

/// <summary>The kernel's too-big handling, MSS clamping and TFC padding between two in-memory sites.</summary>
public sealed class KernelMtuTests
{
    // ESP-in-UDP over IPv4 with AES-GCM-16: 1500 - 20 (IP) - 8 (UDP) - 8 (ESP) - 8 (IV) - 16 (ICV)
    // = 1440, a multiple of 4, minus Pad Length and Next Header = 1438.
    private const int GcmMaxInner = 1438;
    // AES-CBC + HMAC-SHA2-256-128: 1500 - 20 - 8 - 8 - 16 (IV) - 16 (ICV) = 1432 → 1424 (16-byte blocks) - 2.
    private const int CbcMaxInner = 1422;

    [Fact]
    public void Overhead_follows_the_transform_sizes()
    {
        Assert.Equal(GcmMaxInner, SaOverhead.MaxInnerLength(1500, false, true, IpsecProtocol.Esp, IpsecMode.Tunnel, 8, 16, 4));
        Assert.Equal(CbcMaxInner, SaOverhead.MaxInnerLength(1500, false, true, IpsecProtocol.Esp, IpsecMode.Tunnel, 16, 16, 16));
        // Raw ESP over IPv6: 1500 - 40 - 8 - 8 - 16 = 1428 → 1428 - 2.
        Assert.Equal(1426, SaOverhead.MaxInnerLength(1500, true, false, IpsecProtocol.Esp, IpsecMode.Tunnel, 8, 16, 4));
        // AH tunnel over IPv4 with a 12-byte ICV: 1500 - 20 - 24.
        Assert.Equal(1456, SaOverhead.MaxInnerLength(1500, false, false, IpsecProtocol.Ah, IpsecMode.Tunnel, 0, 12, 4));
    }

    [Fact]
    public void Oversize_ipv4_with_df_gets_fragmentation_needed_with_the_sa_mtu()
    {
        using var pair = KernelPair.AesGcm128();
        Assert.Equal(GcmMaxInner, pair.A.MaxInnerLength(KernelPair.ReqId));
        var big = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", payloadLength: GcmMaxInner - 28 + 1);

        Assert.Equal(DropReason.FragmentationNeeded, KernelPair.Send(pair.A, big));

        Assert.Empty(pair.OuterA.Sent);
        var error = Assert.Single(pair.TunA.Written);
        Assert.Equal(3, error[20]);
        Assert.Equal(4, error[21]);
        Assert.Equal(GcmMaxInner, BinaryPrimitives.ReadUInt16BigEndian(error.AsSpan(26)));
        Assert.Equal(big.AsSpan(0, 548).ToArray(), error.AsSpan(28).ToArray());
        Assert.Equal(1, pair.A.IcmpErrorsSent);

        // The largest packet that fits goes through and arrives unchanged.
        var fits = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", payloadLength: GcmMaxInner - 28);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, fits));
        Assert.Equal(1500, Assert.Single(pair.OuterA.Sent).Packet.Length + 28);
        Assert.Equal(fits, Assert.Single(pair.TunB.Written));
    }

    [Fact]
    public void Cbc_sa_reports_its_own_mtu_and_ipv6_gets_packet_too_big()
    {
        using var pair = KernelPair.AesCbc128HmacSha256();
        var big = TestPackets.Ipv6Icmp("2001:db8:1::1", "2001:db8:2::1", payloadLength: 1452);

        Assert.Equal(DropReason.FragmentationNeeded, KernelPair.Send(pair.A, big));

        var error = Assert.Single(pair.TunA.Written);
        Assert.Equal(6, error[0] >> 4);
        Assert.Equal(2, error[40]);
        Assert.Equal((uint)CbcMaxInner, BinaryPrimitives.ReadUInt32BigEndian(error.AsSpan(44)));
        Assert.Equal(IPAddress.Parse("2001:db8:1::1").GetAddressBytes(), error.AsSpan(24, 16).ToArray());
    }

    [Fact]
    public void Oversize_ipv4_without_df_is_sent_whole_for_the_host_to_fragment()
    {
        using var pair = KernelPair.AesGcm128();
        var big = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", payloadLength: 1472);
        big[6] = 0; // clear DF
        BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(10), 0);
        BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(10), TestPackets.Checksum(big.AsSpan(0, 20)));

        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, big));
        Assert.Empty(pair.TunA.Written);
        Assert.Equal(big, Assert.Single(pair.TunB.Written));
    }

    [Fact]
    public void Too_big_errors_are_rate_limited()
    {
        using var pair = KernelPair.AesGcm128();
        pair.A.IcmpLimiter = new IcmpRateLimiter(perSecond: 1, burst: 2);
        var big = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", payloadLength: 1472);
        for (int i = 0; i < 5; i++)
            Assert.Equal(DropReason.FragmentationNeeded, KernelPair.Send(pair.A, big));
        Assert.Equal(2, pair.TunA.Written.Count);
        Assert.Equal(5, pair.A.Statistics.Dropped(DropReason.FragmentationNeeded));
    }

    [Fact]
    public void Mss_clamping_rewrites_syns_in_both_directions_when_enabled()
    {
        using var pair = KernelPair.AesGcm128();
        var syn = TcpSyn(1460);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, syn.ToArray()));
        Assert.Equal(1460, Mss(Assert.Single(pair.TunB.Written)));

        pair.A.ClampMss = true;
        pair.B.ClampMss = true;
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, syn.ToArray()));
        var clamped = pair.TunB.Written[1];
        Assert.Equal(GcmMaxInner - 40, Mss(clamped));
        Assert.Equal(0, TcpChecksumResidue(clamped));
    }

    [Fact]
    public void Tfc_padding_pads_the_esp_payload_and_the_receiver_strips_it()
    {
        using var pair = KernelPair.AesGcm128(link: false); // delivery decrypts in place: keep the wire bytes
        // Replace A's outbound SA with one that pads to 1000 bytes (RFC 4303 §2.7).
        pair.A.InstallSa(new SaSpec
        {
            Spi = KernelPair.SpiAToB, Direction = SaDirection.Outbound, ReqId = KernelPair.ReqId, UdpEncapsulation = true,
            Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
            Encryption = TestCrypto.TestTransforms.AesGcm16(128), EncryptionKey = (byte[])pair.EncKeyAToB.Clone(), TfcPadding = 1000,
        });
        var ping = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", payloadLength: 56);
        var buffer = new byte[UserspaceKernel.Headroom + 1500 + UserspaceKernel.Tailroom];
        ping.CopyTo(buffer, UserspaceKernel.Headroom);

        Assert.Equal(DropReason.None, pair.A.ProcessOutbound(buffer, UserspaceKernel.Headroom, ping.Length));

        var esp = Assert.Single(pair.OuterA.Sent).Packet;
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(esp.ToArray()));
        var opened = ReferenceEsp.OpenGcm(pair.EncKeyAToB, false, 1, esp);
        Assert.NotNull(opened);
        Assert.Equal(1000, opened.Inner.Length);
        Assert.Equal(ping, opened.Inner[..ping.Length]);
        Assert.All(opened.Inner[ping.Length..], b => Assert.Equal(0, b));
        Assert.Equal(ping, Assert.Single(pair.TunB.Written));
    }

    [Fact]
    public void Tfc_padding_to_mtu_fills_the_path()
    {
        using var pair = KernelPair.AesGcm128();
        pair.A.InstallSa(new SaSpec
        {
            Spi = KernelPair.SpiAToB, Direction = SaDirection.Outbound, ReqId = KernelPair.ReqId, UdpEncapsulation = true,
            Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
            Encryption = TestCrypto.TestTransforms.AesGcm16(128), EncryptionKey = (byte[])pair.EncKeyAToB.Clone(), TfcPadding = SaSpec.TfcPaddingMtu,
        });
        var ping = TestPackets.Ipv6Icmp("2001:db8:1::1", "2001:db8:2::1", payloadLength: 10);
        var buffer = new byte[UserspaceKernel.Headroom + 1500 + UserspaceKernel.Tailroom];
        ping.CopyTo(buffer, UserspaceKernel.Headroom);

        Assert.Equal(DropReason.None, pair.A.ProcessOutbound(buffer, UserspaceKernel.Headroom, ping.Length));

        // The outer IPv4/UDP packet is exactly the path MTU.
        Assert.Equal(1500, Assert.Single(pair.OuterA.Sent).Packet.Length + 28);
        Assert.Equal(ping, Assert.Single(pair.TunB.Written));
    }

    [Fact]
    public void Suggested_tunnel_mtu_is_the_smallest_outbound_sa_limit()
    {
        using var pair = KernelPair.AesGcm128();
        var changes = new List<int>();
        pair.A.TunnelMtuChanged += changes.Add;
        Assert.Equal(GcmMaxInner, pair.A.SuggestedTunnelMtu);

        // A second child with AES-CBC + HMAC-SHA2-256 lowers it; removing it raises it again.
        pair.A.InstallSa(new SaSpec
        {
            Spi = 0xC0C0, Direction = SaDirection.Outbound, ReqId = 9, UdpEncapsulation = true,
            Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
            Encryption = TestCrypto.TestTransforms.AesCbc(128), EncryptionKey = new byte[16],
            Integrity = TestCrypto.TestTransforms.HmacSha256_128, IntegrityKey = new byte[32],
        });
        Assert.Equal(CbcMaxInner, pair.A.SuggestedTunnelMtu);
        pair.A.RemoveSa(0xC0C0, SaDirection.Outbound);
        Assert.Equal(GcmMaxInner, pair.A.SuggestedTunnelMtu);
        Assert.Equal([CbcMaxInner, GcmMaxInner], changes);
    }

    private static byte[] TcpSyn(ushort mss)
    {
        var tcp = new byte[24];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), 5001);
        tcp[12] = 6 << 4;
        tcp[13] = 0x02;
        tcp[20] = 2;
        tcp[21] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(22), mss);
        var p = TestPackets.Ipv4("10.1.0.1", "10.2.0.1", 6, tcp);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(36), TcpChecksumResidue(p));
        return p;
    }

    private static int Mss(byte[] p) => BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(42));

    /// <summary>One's-complement sum of pseudo-header and segment: 0 when the checksum field is right (inverted sum when it is 0).</summary>
    private static ushort TcpChecksumResidue(byte[] p)
    {
        var pseudo = new byte[12 + p.Length - 20];
        p.AsSpan(12, 8).CopyTo(pseudo);
        pseudo[9] = 6;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)(p.Length - 20));
        p.AsSpan(20).CopyTo(pseudo.AsSpan(12));
        return TestPackets.Checksum(pseudo);
    }
}
