using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;

namespace Petrel.DataPlane.Tests.Esp;

/// <summary>The data plane with Petrel.Crypto's real primitives (resolved through the algorithm catalogue).</summary>
public class CatalogCryptoTests
{
    private static readonly byte[] V4 = TestPackets.Ipv4Udp("10.1.0.7", "10.2.0.8", 1111, 2222, 333);
    private static readonly byte[] V6 = TestPackets.Ipv6Icmp("2001:db8:1::7", "2001:db8:2::8", 99);
    private static readonly byte[] V6BtoA = TestPackets.Ipv6Icmp("2001:db8:2::8", "2001:db8:1::7", 98);

    /// <summary>Every ESP encryption transform with a primitive; non-AEAD ones paired with HMAC-SHA2-256-128.</summary>
    public static TheoryData<string, string?> EspCiphers()
    {
        var data = new TheoryData<string, string?>();
        foreach (var e in AlgorithmCatalog.All)
        {
            if (e.Type != TransformType.Encryption || !e.UsableForEsp || e.Encryption is null)
                continue;
            data.Add(e.Keyword, e.Encryption.IsAead ? null : "sha256");
        }
        return data;
    }

    /// <summary>Every ESP integrity transform with a primitive, with AES-128-CBC.</summary>
    public static TheoryData<string> EspIntegrity()
    {
        var data = new TheoryData<string>();
        foreach (var e in AlgorithmCatalog.All)
        {
            if (e.Type == TransformType.Integrity && e.UsableForEsp && e.Integrity is not null)
                data.Add(e.Keyword);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EspCiphers))]
    public void Every_esp_cipher_round_trips_and_detects_tampering(string encryption, string? integrity)
    {
        foreach (bool esn in new[] { false, true })
        {
            using var pair = KernelPair.Catalog(encryption, integrity, esn);
            Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4));
            Assert.Equal(DropReason.None, KernelPair.Send(pair.B, V6BtoA));
            Assert.Equal([DropReason.None], pair.OuterA.DeliveryResults);
            Assert.Equal([DropReason.None], pair.OuterB.DeliveryResults);
            Assert.Equal(V4, Assert.Single(pair.TunB.Written));
            Assert.Equal(V6BtoA, Assert.Single(pair.TunA.Written));

            var tampered = pair.OuterA.Sent[0].Packet.ToArray();
            tampered[^1] ^= 1;
            // A fresh copy with the same sequence number would be a replay; the tampered ICV must fail first.
            Assert.Equal(DropReason.Replay, pair.B.ProcessInbound(tampered));
            Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4));
            var second = pair.OuterA.Sent[1].Packet.ToArray();
            Assert.Equal(DropReason.None, pair.OuterA.DeliveryResults[1]);
            second[^1] ^= 1;
            Assert.Equal(DropReason.Replay, pair.B.ProcessInbound(second));
        }
    }

    [Theory]
    [MemberData(nameof(EspCiphers))]
    public void Every_esp_cipher_rejects_a_forged_packet(string encryption, string? integrity)
    {
        using var pair = KernelPair.Catalog(encryption, integrity, link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4));
        var forged = pair.OuterA.Sent[0].Packet.ToArray();
        forged[^1] ^= 0x10;
        Assert.Equal(DropReason.IntegrityFailure, pair.B.ProcessInbound(forged));
        // The failed attempt neither moved the window nor spoiled the SA: the genuine packet still opens.
        // (Decryption is in place, so the forged buffer itself may have been overwritten.)
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(pair.OuterA.Sent[0].Packet.ToArray()));
        Assert.Equal(V4, Assert.Single(pair.TunB.Written));
    }

    [Theory]
    [MemberData(nameof(EspIntegrity))]
    public void Every_esp_integrity_round_trips(string integrity)
    {
        using var pair = KernelPair.Catalog("aes128", integrity, esn: true);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V6));
        Assert.Equal(DropReason.None, Assert.Single(pair.OuterA.DeliveryResults));
        Assert.Equal(V6, Assert.Single(pair.TunB.Written));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Real_aes_gcm_output_matches_the_reference_decoder(bool esn)
    {
        using var pair = KernelPair.Catalog("aes128gcm16", null, esn, link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V4));
        var opened = ReferenceEsp.OpenGcm(pair.EncKeyAToB, esn, 1, pair.OuterA.Sent[0].Packet);
        Assert.NotNull(opened);
        Assert.Equal(V4, opened.Inner);
        Assert.Equal(4, opened.NextHeader);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Real_aes_cbc_hmac_sha256_output_matches_the_reference_decoder(bool esn)
    {
        using var pair = KernelPair.Catalog("aes128", "sha256", esn, link: false);
        Assert.Equal(DropReason.None, KernelPair.Send(pair.A, V6));
        var opened = ReferenceEsp.OpenCbcHmac(pair.EncKeyAToB, pair.AuthKeyAToB, HashAlgorithmName.SHA256, 16, esn, 1, pair.OuterA.Sent[0].Packet);
        Assert.NotNull(opened);
        Assert.Equal(V6, opened.Inner);
        Assert.Equal(41, opened.NextHeader);
    }

    [Fact]
    public void Real_aes_cbc_hmac_sha256_opens_reference_packets()
    {
        using var pair = KernelPair.Catalog("aes128", "sha256", link: false);
        var esp = ReferenceEsp.SealCbcHmac(pair.EncKeyAToB, pair.AuthKeyAToB, HashAlgorithmName.SHA256, 16, KernelPair.SpiAToB, 1, false,
            RandomNumberGenerator.GetBytes(16), ReferenceEsp.Trailer(V4, 4, 16));
        Assert.Equal(DropReason.None, pair.B.ProcessInbound(esp));
        Assert.Equal(V4, Assert.Single(pair.TunB.Written));
    }
}
