using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Tests.Esp;

/// <summary>
/// Published ESP packets rebuilt and opened by Petrel's ESP processor with the catalogue's primitives:
/// RFC 7634 Appendix A (ChaCha20-Poly1305) and every GCM/GMAC case of draft-mcgrew-gcm-test-01.
/// Seal must produce the published wire bytes (SPI, sequence number, IV, ciphertext, ICV) from the
/// inner packet alone, which also pins Petrel's RFC 4303 padding; Open must return the inner packet and
/// Next Header, and must refuse the packet with one ICV bit flipped. The vector files live in
/// tests/Petrel.Crypto.Tests/vectors and say where their values come from.
/// </summary>
public class PublishedEspPacketTests
{
    private static JsonElement[] Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", file);
        return [.. JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("tests").EnumerateArray()];
    }

    public static TheoryData<string> GcmCases()
    {
        var data = new TheoryData<string>();
        foreach (var t in Load("draft_mcgrew_gcm_test_01.json"))
            data.Add(t.GetProperty("name").GetString()!);
        return data;
    }

    private static byte[] Hex(JsonElement t, string name) => Convert.FromHexString(t.GetProperty(name).GetString()!);

    /// <summary>One published packet: the transform, its SA parameters, the inner packet and the wire image.</summary>
    private sealed record Case(string Keyword, byte[] Keymat, uint Spi, ulong Seq, bool Esn, byte[] Iv, byte[] Inner, byte NextHeader, byte[] Wire);

    private static Case Rfc7634()
    {
        var t = Load("rfc7634_esp.json").Single();
        return new Case("chacha20poly1305", Hex(t, "keymat"), Convert.ToUInt32(t.GetProperty("spi").GetString(), 16),
            Convert.ToUInt64(t.GetProperty("seq").GetString(), 16), t.GetProperty("esn").GetBoolean(), Hex(t, "iv"),
            Hex(t, "inner"), (byte)t.GetProperty("next_header").GetInt32(), Hex(t, "esp"));
    }

    private static Case Gcm(string name)
    {
        var t = Load("draft_mcgrew_gcm_test_01.json").Single(x => x.GetProperty("name").GetString() == name);
        var keymat = Hex(t, "keymat");
        int bits = (keymat.Length - 4) * 8;
        string keyword = t.GetProperty("mode").GetString() == "gmac" ? $"null_aes{bits}gmac" : $"aes{bits}gcm16";
        uint spi = Convert.ToUInt32(t.GetProperty("spi").GetString(), 16);
        ulong seq = Convert.ToUInt64(t.GetProperty("seq").GetString(), 16);
        var iv = Hex(t, "iv");
        var plaintext = Hex(t, "plaintext");
        // RFC 4303 §2: the payload ends with Padding, Pad Length, Next Header; the inner packet is what precedes them.
        int padLength = plaintext[^2];
        var inner = plaintext[..^(padLength + 2)];
        var wire = new byte[8 + iv.Length + Hex(t, "expected").Length];
        BinaryPrimitives.WriteUInt32BigEndian(wire, spi);
        BinaryPrimitives.WriteUInt32BigEndian(wire.AsSpan(4), (uint)seq); // only the low half travels (RFC 4303 §2.2.1)
        iv.CopyTo(wire, 8);
        Hex(t, "expected").CopyTo(wire, 8 + iv.Length);
        return new Case(keyword, keymat, spi, seq, t.GetProperty("esn").GetBoolean(), iv, inner, plaintext[^1], wire);
    }

    private static EspSa Sa(Case c, SaDirection direction) => new(new SaSpec
    {
        Spi = c.Spi, Direction = direction, ReqId = 1, ExtendedSequenceNumbers = c.Esn,
        Source = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0), Destination = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 0),
        Encryption = AlgorithmCatalog.FindKeyword(c.Keyword)!.Transform, EncryptionKey = (byte[])c.Keymat.Clone(),
    }, new EspAlgorithms(AlgorithmCatalog.FindKeyword(c.Keyword)!.Encryption, null));

    private static void SealsToTheWireImage(Case c)
    {
        using var sa = Sa(c, SaDirection.Outbound);
        sa.FixedIv = c.Iv;
        sa.ContinueSequenceAfter(c.Seq - 1);
        var buffer = new byte[EspProcessor.Headroom + c.Inner.Length + EspProcessor.Tailroom];
        c.Inner.CopyTo(buffer, EspProcessor.Headroom);
        Assert.Equal(DropReason.None, EspProcessor.Seal(sa, buffer, EspProcessor.Headroom, c.Inner.Length, c.NextHeader, out int offset, out int length));
        Assert.Equal(Convert.ToHexString(c.Wire), Convert.ToHexString(buffer, offset, length));
    }

    private static DropReason OpenWire(Case c, byte[] wire, out byte[] inner, out byte nextHeader)
    {
        using var sa = Sa(c, SaDirection.Inbound);
        // With ESN the receiver infers the high 32 bits from its window (RFC 4303 App. A2); put the window
        // just below the packet, as if the packets before it had arrived.
        if (c.Seq > 1)
            Assert.True(sa.Replay!.Update(c.Seq - 1));
        var copy = (byte[])wire.Clone();
        var result = EspProcessor.Open(sa, copy, out int offset, out int length, out nextHeader);
        inner = copy.AsSpan(offset, length).ToArray();
        return result;
    }

    private static void OpensToTheInnerPacket(Case c)
    {
        Assert.Equal(DropReason.None, OpenWire(c, c.Wire, out var inner, out byte nextHeader));
        Assert.Equal(Convert.ToHexString(c.Inner), Convert.ToHexString(inner));
        Assert.Equal(c.NextHeader, nextHeader);

        var tampered = (byte[])c.Wire.Clone();
        tampered[^1] ^= 0x01;
        Assert.Equal(DropReason.IntegrityFailure, OpenWire(c, tampered, out _, out _));
    }

    [Fact]
    public void Rfc7634_appendix_a_packet_is_sealed_byte_for_byte() => SealsToTheWireImage(Rfc7634());

    [Fact]
    public void Rfc7634_appendix_a_packet_opens_to_the_icmp_echo() => OpensToTheInnerPacket(Rfc7634());

    [Theory]
    [MemberData(nameof(GcmCases))]
    public void Gcm_test_packet_is_sealed_byte_for_byte(string name) => SealsToTheWireImage(Gcm(name));

    [Theory]
    [MemberData(nameof(GcmCases))]
    public void Gcm_test_packet_opens_to_its_payload(string name) => OpensToTheInnerPacket(Gcm(name));
}
