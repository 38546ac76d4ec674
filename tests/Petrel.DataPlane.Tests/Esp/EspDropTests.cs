using System.Buffers.Binary;
using System.Security.Cryptography;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;

namespace Petrel.DataPlane.Tests.Esp;

public class EspDropTests
{
    private static readonly byte[] Inner = TestPackets.Ipv4Udp("10.1.0.5", "10.2.0.9", 4000, 80, 77);

    private static byte[] Gcm(KernelPair pair, ulong seq, byte[] trailer) =>
        ReferenceEsp.SealGcm(pair.EncKeyAToB, KernelPair.SpiAToB, seq, false, RandomNumberGenerator.GetBytes(8), trailer);

    [Fact]
    public void Truncated_packets_are_counted()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        Assert.Equal(DropReason.Truncated, pair.B.ProcessInbound(new byte[] { 0xb0, 0xb0, 0xb0, 0x01, 0, 0, 0 }));
        var esp = Gcm(pair, 1, ReferenceEsp.Trailer(Inner, 4, 4));
        // Header + IV + ICV but no room for the trailer.
        Assert.Equal(DropReason.Truncated, pair.B.ProcessInbound(esp.AsSpan(0, 8 + 8 + 16 + 1)));
        Assert.Equal(2, pair.B.Statistics.Dropped(DropReason.Truncated));
        Assert.Empty(pair.TunB.Written);
    }

    [Fact]
    public void Cbc_ciphertext_that_is_not_whole_blocks_is_truncated()
    {
        using var pair = KernelPair.AesCbc128HmacSha256(link: false);
        var esp = new byte[8 + 16 + 20 + 16];
        BinaryPrimitives.WriteUInt32BigEndian(esp, KernelPair.SpiAToB);
        BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), 1);
        Assert.Equal(DropReason.Truncated, pair.B.ProcessInbound(esp));
    }

    [Fact]
    public void Unknown_spi_is_counted()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        var esp = Gcm(pair, 1, ReferenceEsp.Trailer(Inner, 4, 4));
        BinaryPrimitives.WriteUInt32BigEndian(esp, 0x12345678);
        Assert.Equal(DropReason.UnknownSpi, pair.B.ProcessInbound(esp));
        Assert.Equal(1, pair.B.Statistics.Dropped(DropReason.UnknownSpi));
    }

    [Fact]
    public void Garbage_with_a_valid_spi_fails_integrity_and_does_not_move_the_window()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        var garbage = RandomNumberGenerator.GetBytes(120);
        BinaryPrimitives.WriteUInt32BigEndian(garbage, KernelPair.SpiAToB);
        BinaryPrimitives.WriteUInt32BigEndian(garbage.AsSpan(4), 1000);
        Assert.Equal(DropReason.IntegrityFailure, pair.B.ProcessInbound(garbage));
        // The forged sequence number 1000 did not slide the window: 1 still arrives.
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(Gcm(pair, 1, ReferenceEsp.Trailer(Inner, 4, 4))));
        Assert.True(pair.B.TryGetCounters(KernelPair.SpiAToB, SaDirection.Inbound, out var c));
        Assert.Equal(1UL, c.IntegrityFailures);
        Assert.Equal(1UL, c.Packets);
    }

    [Fact]
    public void Replayed_packet_is_dropped_and_counted()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, Inner));
        var esp = pair.OuterA.Sent[0].Packet;
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(esp.ToArray()));
        Assert.Equal(DropReason.Replay, pair.B.ProcessInbound(esp.ToArray()));
        Assert.True(pair.B.TryGetCounters(KernelPair.SpiAToB, SaDirection.Inbound, out var c));
        Assert.Equal(1UL, c.ReplayDrops);
        Assert.Equal(1, pair.B.Statistics.Dropped(DropReason.Replay));
        Assert.Single(pair.TunB.Written);
    }

    [Fact]
    public void Packet_left_of_the_window_is_dropped()
    {
        using var pair = KernelPair.AesGcm128(replayWindow: 32, link: false);
        var trailer = ReferenceEsp.Trailer(Inner, 4, 4);
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(Gcm(pair, 100, trailer)));
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(Gcm(pair, 69, trailer)));
        Assert.Equal(DropReason.Replay, pair.B.ProcessInbound(Gcm(pair, 68, trailer)));
    }

    public static TheoryData<string, int, DropReason> Tamperings => new()
    {
        { "spi", 3, DropReason.UnknownSpi },
        { "sequence", 6, DropReason.IntegrityFailure },
        { "iv", 10, DropReason.IntegrityFailure },
        { "ciphertext", 30, DropReason.IntegrityFailure },
        { "icv", -1, DropReason.IntegrityFailure },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Tampered_gcm_packet_is_dropped(string field, int offset, DropReason expected)
    {
        using var pair = KernelPair.AesGcm128(link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, Inner));
        var esp = pair.OuterA.Sent[0].Packet.ToArray();
        esp[offset < 0 ? esp.Length + offset : offset] ^= 0x01;
        Assert.Equal(expected, pair.B.ProcessInbound(esp));
        Assert.Empty(pair.TunB.Written);
        _ = field;
    }

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Tampered_cbc_hmac_packet_is_dropped(string field, int offset, DropReason expected)
    {
        using var pair = KernelPair.AesCbc128HmacSha256(link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, Inner));
        var esp = pair.OuterA.Sent[0].Packet.ToArray();
        esp[offset < 0 ? esp.Length + offset : offset] ^= 0x80;
        Assert.Equal(expected, pair.B.ProcessInbound(esp));
        Assert.Empty(pair.TunB.Written);
        _ = field;
    }

    [Fact]
    public void Wrong_padding_bytes_are_rejected()
    {
        using var pair = KernelPair.AesCbc128HmacSha256(link: false);
        var trailer = ReferenceEsp.Trailer(Inner, 4, 16);
        Assert.True(trailer[^2] >= 2);
        trailer[^3] ^= 0x55; // last padding byte no longer equals its position
        var esp = ReferenceEsp.SealCbcHmac(pair.EncKeyAToB, pair.AuthKeyAToB, HashAlgorithmName.SHA256, 16,
            KernelPair.SpiAToB, 1, false, RandomNumberGenerator.GetBytes(16), trailer);
        Assert.Equal(DropReason.BadPadding, pair.B.ProcessInbound(esp));
    }

    [Fact]
    public void Pad_length_beyond_the_payload_is_rejected()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        var trailer = new byte[] { 0x45, 0, 200, 4 }; // Pad Length 200 in a 4-byte payload
        Assert.Equal(DropReason.BadPadding, pair.B.ProcessInbound(Gcm(pair, 1, trailer)));
    }

    [Theory]
    [InlineData(6)]   // TCP: transport mode, not ours
    [InlineData(41)]  // says IPv6 but the packet is IPv4
    public void Wrong_next_header_is_rejected(byte nextHeader)
    {
        using var pair = KernelPair.AesGcm128(link: false);
        Assert.Equal(DropReason.BadNextHeader, pair.B.ProcessInbound(Gcm(pair, 1, ReferenceEsp.Trailer(Inner, nextHeader, 4))));
    }

    [Fact]
    public void Tfc_dummy_packet_is_discarded_silently()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        Assert.Equal(DropReason.Dummy, pair.B.ProcessInbound(Gcm(pair, 1, ReferenceEsp.Trailer(new byte[13], 59, 4))));
        Assert.Empty(pair.TunB.Written);
    }

    [Fact]
    public void Inner_packet_outside_the_policy_is_rejected()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        var spoofed = TestPackets.Ipv4Udp("10.9.9.9", "10.2.0.9", 1, 2);
        Assert.Equal(DropReason.PolicyMismatch, pair.B.ProcessInbound(Gcm(pair, 1, ReferenceEsp.Trailer(spoofed, 4, 4))));
        var wrongDestination = TestPackets.Ipv4Udp("10.1.0.1", "10.3.0.1", 1, 2);
        Assert.Equal(DropReason.PolicyMismatch, pair.B.ProcessInbound(Gcm(pair, 2, ReferenceEsp.Trailer(wrongDestination, 4, 4))));
        Assert.Equal(2, pair.B.Statistics.Dropped(DropReason.PolicyMismatch));
        Assert.Empty(pair.TunB.Written);
    }

    [Fact]
    public void Malformed_inner_packet_is_rejected()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        var bad = (byte[])Inner.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(bad.AsSpan(2), 2000); // total length beyond the packet
        Assert.Equal(DropReason.Malformed, pair.B.ProcessInbound(Gcm(pair, 1, ReferenceEsp.Trailer(bad, 4, 4))));
    }

    [Fact]
    public void Sequence_counter_does_not_cycle_without_esn()
    {
        using var pair = KernelPair.AesGcm128(link: false);
        var spec = new SaSpec
        {
            Spi = 0x1000, Direction = SaDirection.Outbound, ReqId = 9,
            Source = new(System.Net.IPAddress.Loopback, 4500), Destination = new(System.Net.IPAddress.Loopback, 4500),
            Encryption = TestCrypto.TestTransforms.AesGcm16(128), EncryptionKey = new byte[20],
        };
        Assert.True(TestCrypto.TestAlgorithmProvider.Instance.TryResolve(spec, out var algs, out _));
        using var sa = new EspSa(spec, algs);
        typeof(EspSa).GetField("_sequence", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .SetValue(sa, (ulong)uint.MaxValue - 1);
        var buffer = new byte[EspProcessor.Headroom + Inner.Length + EspProcessor.Tailroom];
        Inner.CopyTo(buffer, EspProcessor.Headroom);
        Assert.Equal(DropReason.None, EspProcessor.Seal(sa, buffer, EspProcessor.Headroom, Inner.Length, 4, out _, out _));
        Inner.CopyTo(buffer, EspProcessor.Headroom);
        // RFC 4303 §3.3.3: after 2^32 - 1 the SA must be rekeyed, never wrap to 0.
        Assert.Equal(DropReason.SequenceOverflow, EspProcessor.Seal(sa, buffer, EspProcessor.Headroom, Inner.Length, 4, out _, out _));
    }
}
