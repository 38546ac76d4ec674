using System.Buffers.Binary;
using System.Security.Cryptography;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;

namespace Petrel.DataPlane.Tests.Esp;

public class EspTunnelTests
{
    private static readonly byte[] V4AtoB = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1", 56);
    private static readonly byte[] V4BtoA = TestPackets.Ipv4Icmp("10.2.0.1", "10.1.0.1", 57);
    private static readonly byte[] V6AtoB = TestPackets.Ipv6Udp("2001:db8:1::1", "2001:db8:2::1", 5000, 53, 101);
    private static readonly byte[] V6BtoA = TestPackets.Ipv6Icmp("2001:db8:2::1", "2001:db8:1::1", 30);

    public static TheoryData<bool> EsnModes => new() { false, true };

    [Theory]
    [MemberData(nameof(EsnModes))]
    public void Aes_gcm_ipv4_and_ipv6_round_trip_both_ways(bool esn)
    {
        using var pair = KernelPair.AesGcm128(esn);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4AtoB));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V6AtoB));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.B, V4BtoA));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.B, V6BtoA));

        Assert.Equal([DropReason.None, DropReason.None], pair.OuterA.DeliveryResults);
        Assert.Equal([DropReason.None, DropReason.None], pair.OuterB.DeliveryResults);
        Assert.Equal([V4AtoB, V6AtoB], pair.TunB.Written);
        Assert.Equal([V4BtoA, V6BtoA], pair.TunA.Written);
    }

    [Theory]
    [MemberData(nameof(EsnModes))]
    public void Aes_cbc_hmac_sha256_ipv4_and_ipv6_round_trip_both_ways(bool esn)
    {
        using var pair = KernelPair.AesCbc128HmacSha256(esn);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4AtoB));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V6AtoB));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.B, V6BtoA));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.B, V4BtoA));

        Assert.Equal([V4AtoB, V6AtoB], pair.TunB.Written);
        Assert.Equal([V6BtoA, V4BtoA], pair.TunA.Written);
    }

    [Theory]
    [MemberData(nameof(EsnModes))]
    public void Aes_gcm_encapsulation_matches_rfc_4303_layout(bool esn)
    {
        using var pair = KernelPair.AesGcm128(esn, link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4AtoB));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V6AtoB));

        var first = pair.OuterA.Sent[0].Packet;
        Assert.Equal(KernelPair.SpiAToB, BinaryPrimitives.ReadUInt32BigEndian(first));
        var opened = ReferenceEsp.OpenGcm(pair.EncKeyAToB, esn, 1, first);
        Assert.NotNull(opened);
        Assert.Equal(1u, opened.Sequence);
        Assert.Equal(V4AtoB, opened.Inner);
        Assert.Equal(4, opened.NextHeader);
        // RFC 4303 §2.4: 4-byte alignment, padding 1, 2, 3, ...
        Assert.Equal(0, (opened.Inner.Length + opened.PadLength + 2) % 4);
        Assert.True(opened.PadLength < 4);
        Assert.Equal(Enumerable.Range(1, opened.PadLength).Select(i => (byte)i), opened.Padding);
        // The explicit IV is a counter (RFC 4106 §3.1): unique per packet under one key.
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64BigEndian(opened.Iv));
        Assert.Equal(8 + 8 + opened.Inner.Length + opened.PadLength + 2 + 16, first.Length);

        var second = ReferenceEsp.OpenGcm(pair.EncKeyAToB, esn, 2, pair.OuterA.Sent[1].Packet);
        Assert.NotNull(second);
        Assert.Equal(2u, second.Sequence);
        Assert.Equal(V6AtoB, second.Inner);
        Assert.Equal(41, second.NextHeader);
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64BigEndian(second.Iv));
    }

    [Theory]
    [MemberData(nameof(EsnModes))]
    public void Aes_cbc_hmac_encapsulation_matches_rfc_4303_layout(bool esn)
    {
        using var pair = KernelPair.AesCbc128HmacSha256(esn, link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V6AtoB));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4AtoB));

        var p1 = pair.OuterA.Sent[0].Packet;
        var p2 = pair.OuterA.Sent[1].Packet;
        // Ciphertext is whole AES blocks (RFC 3602 §2.4), ICV is 16 bytes (RFC 4868 §2.3).
        Assert.Equal(0, (p1.Length - 8 - 16 - 16) % 16);
        var o1 = ReferenceEsp.OpenCbcHmac(pair.EncKeyAToB, pair.AuthKeyAToB, HashAlgorithmName.SHA256, 16, esn, 1, p1);
        var o2 = ReferenceEsp.OpenCbcHmac(pair.EncKeyAToB, pair.AuthKeyAToB, HashAlgorithmName.SHA256, 16, esn, 2, p2);
        Assert.NotNull(o1);
        Assert.NotNull(o2);
        Assert.Equal(V6AtoB, o1.Inner);
        Assert.Equal(41, o1.NextHeader);
        Assert.Equal(V4AtoB, o2.Inner);
        Assert.Equal(4, o2.NextHeader);
        Assert.Equal(Enumerable.Range(1, o1.PadLength).Select(i => (byte)i), o1.Padding);
        Assert.Equal(0, (o1.Inner.Length + o1.PadLength + 2) % 16);
        // CBC IVs must be unpredictable (RFC 3602 §3): random, so two packets differ.
        Assert.NotEqual(o1.Iv, o2.Iv);
        if (esn)
        {
            // Without the implicit high bits the ICV must not verify.
            Assert.Null(ReferenceEsp.OpenCbcHmac(pair.EncKeyAToB, pair.AuthKeyAToB, HashAlgorithmName.SHA256, 16, false, 1, p1));
        }
    }

    [Theory]
    [MemberData(nameof(EsnModes))]
    public void Decapsulates_gcm_packets_built_by_the_reference_encoder(bool esn)
    {
        using var pair = KernelPair.AesGcm128(esn);
        var iv = RandomNumberGenerator.GetBytes(8);
        var esp = ReferenceEsp.SealGcm(pair.EncKeyAToB, KernelPair.SpiAToB, 7, esn, iv, ReferenceEsp.Trailer(V6AtoB, 41, 4));
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(esp));
        Assert.Equal(V6AtoB, Assert.Single(pair.TunB.Written));
    }

    [Fact]
    public void Decapsulates_cbc_packets_with_extra_padding_blocks()
    {
        using var pair = KernelPair.AesCbc128HmacSha256();
        var iv = RandomNumberGenerator.GetBytes(16);
        // RFC 4303 §2.4 allows up to 255 bytes of padding (e.g. to hide the length).
        var esp = ReferenceEsp.SealCbcHmac(pair.EncKeyAToB, pair.AuthKeyAToB, HashAlgorithmName.SHA256, 16,
            KernelPair.SpiAToB, 3, false, iv, ReferenceEsp.Trailer(V4AtoB, 4, 16, extraPadBlocks: 15));
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(esp));
        Assert.Equal(V4AtoB, Assert.Single(pair.TunB.Written));
    }

    [Fact]
    public void Esn_sa_decapsulates_after_the_low_32_bits_wrap()
    {
        using var pair = KernelPair.AesGcm128(esn: true);
        var trailer = ReferenceEsp.Trailer(V4AtoB, 4, 4);
        ulong[] sequence = [1, 1UL << 31, uint.MaxValue, (1UL << 32) + 1, uint.MaxValue - 3];
        foreach (var seq in sequence)
        {
            var esp = ReferenceEsp.SealGcm(pair.EncKeyAToB, KernelPair.SpiAToB, seq, true, RandomNumberGenerator.GetBytes(8), trailer);
            Assert.Equal(DropReason.None, pair.B.ProcessInbound(esp));
        }
        // A packet sealed with the wrong high half (subspace 0 instead of 1) fails the ICV.
        var wrong = ReferenceEsp.SealGcm(pair.EncKeyAToB, KernelPair.SpiAToB, 5, true, RandomNumberGenerator.GetBytes(8), trailer);
        Assert.Equal(DropReason.IntegrityFailure, pair.B.ProcessInbound(wrong));
        Assert.Equal(sequence.Length, pair.TunB.Written.Count);
    }

    [Fact]
    public void Counters_count_inner_bytes_and_packets_per_sa()
    {
        using var pair = KernelPair.AesGcm128();
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4AtoB));
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V6AtoB));

        Assert.True(pair.A.TryGetCounters(KernelPair.SpiAToB, SaDirection.Outbound, out var outC));
        Assert.True(pair.B.TryGetCounters(KernelPair.SpiAToB, SaDirection.Inbound, out var inC));
        Assert.Equal((ulong)(V4AtoB.Length + V6AtoB.Length), outC.Bytes);
        Assert.Equal(2UL, outC.Packets);
        Assert.Equal(outC.Bytes, inC.Bytes);
        Assert.Equal(2UL, inC.Packets);
        Assert.True(inC.LastUsedTicks > 0);
        Assert.False(pair.A.TryGetCounters(KernelPair.SpiAToB, SaDirection.Inbound, out _));
        Assert.Equal(2, pair.A.Statistics.Encapsulated);
        Assert.Equal(2, pair.B.Statistics.Decapsulated);
    }
}
