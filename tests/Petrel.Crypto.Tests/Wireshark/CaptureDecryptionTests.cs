using System.Text.Json;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Wireshark;

/// <summary>
/// An independent source for the ciphers as IKEv2 and ESP frame them: every encrypted frame of
/// Wireshark's decryption captures opens with the published keys to the plaintext TShark showed,
/// and its ICV verifies (RFC 7296 §3.14, RFC 5282 for AEAD, RFC 4303 for ESP).
/// </summary>
public class CaptureDecryptionTests
{
    // Transforms from each capture's IKE_SA_INIT (EXPECTED.md), as Petrel keywords.
    private static readonly Dictionary<string, (string Encryption, string? Integrity)> Suites = new()
    {
        ["ikev2-decrypt-3des-sha1_160.pcap"] = ("3des", "sha1_160"),
        ["ikev2-decrypt-aes128ccm12.pcap"] = ("aes128ccm12", null),
        ["ikev2-decrypt-aes128ccm12-2.pcap"] = ("aes128ccm12", null),
        ["ikev2-decrypt-aes192ctr.pcap"] = ("aes192ctr", "sha512"),
        ["ikev2-decrypt-aes256cbc.pcapng"] = ("aes256", "sha256"),
        ["ikev2-decrypt-aes256ccm16.pcapng"] = ("aes256ccm16", null),
        ["ikev2-decrypt-aes256gcm16.pcap"] = ("aes256gcm16", null),
        ["ikev2-decrypt-aes256gcm8.pcap"] = ("aes256gcm8", null),
    };

    public static TheoryData<string> Captures() => [.. Suites.Keys];

    [Theory]
    [MemberData(nameof(Captures))]
    public void Ikev2_sk_payloads_decrypt_and_authenticate(string capture)
    {
        using var doc = VectorFile.Load("wireshark/ikev2_sk_payloads.json");
        var c = doc.RootElement.GetProperty("captures").GetProperty(capture);
        var row = c.GetProperty("key_table_row");
        var (encKeyword, integKeyword) = Suites[capture];
        var enc = AlgorithmCatalog.FindKeyword(encKeyword)!.Encryption!;
        var integ = integKeyword is null ? null : AlgorithmCatalog.FindKeyword(integKeyword)!.Integrity!;
        int frames = 0;
        foreach (var f in c.GetProperty("frames").EnumerateArray())
        {
            if (!f.TryGetProperty("iv", out _))
                continue;
            bool initiator = f.GetProperty("initiator_flag").GetBoolean();
            var ske = Key(row, initiator ? "sk_ei" : "sk_er", capture);
            var message = f.Hex("ike_message");
            var iv = f.Hex("iv");
            var ct = f.Hex("ciphertext");
            var icv = f.Hex("icv");
            int ivOffset = message.Length - icv.Length - ct.Length - iv.Length;
            Assert.True(message.AsSpan(ivOffset, iv.Length).SequenceEqual(iv), "layout");

            using var cipher = enc.CreateContext(ske);
            var plain = new byte[ct.Length];
            if (enc.IsAead)
            {
                // RFC 5282 §5.1: the AAD is the IKE header and the SK payload header, everything before the IV.
                var aad = message.AsSpan(0, ivOffset);
                Assert.True(cipher.Decrypt(iv, aad, ct, icv, plain), $"{capture} frame {f.GetProperty("frame")}");
                var tampered = (byte[])icv.Clone();
                tampered[0] ^= 1;
                Assert.False(cipher.Decrypt(iv, aad, ct, tampered, new byte[ct.Length]));
            }
            else
            {
                // RFC 7296 §3.14: the ICV covers the whole message up to the ICV itself.
                using var mac = integ!.CreateContext(Convert.FromHexString(row.Str(initiator ? "sk_ai" : "sk_ar")));
                Assert.True(mac.Verify(message.AsSpan(0, message.Length - icv.Length), icv), $"{capture} frame {f.GetProperty("frame")}");
                Assert.True(cipher.Decrypt(iv, default, ct, default, plain));
            }
            Assert.Equal(f.Str("plaintext_with_padding"), Convert.ToHexString(plain), ignoreCase: true);
            frames++;
        }
        Assert.True(frames >= 2);
    }

    private static byte[] Key(JsonElement row, string name, string capture)
    {
        var key = Convert.FromHexString(row.Str(name));
        // EXPECTED.md: this capture's table row is written for Wireshark's CTR fallback as
        // key(16) || 0x03 || salt(3); the CCM keying material is key(16) || salt(3).
        if (capture == "ikev2-decrypt-aes128ccm12-2.pcap")
            key = [.. key[..16], .. key[17..]];
        return key;
    }

    [Fact]
    public void Esp_aes_cbc_hmac_sha1_96_frames_open_to_the_captured_icmp()
    {
        using var doc = VectorFile.Load("wireshark/esp_sa_decrypted.json");
        var keys = new Dictionary<string, (byte[] Enc, byte[] Auth)>();
        foreach (var sa in doc.RootElement.GetProperty("sa_table").EnumerateArray())
            keys[sa.Str("spi")] = (Convert.FromHexString(sa.Str("encryption_key")[2..]), Convert.FromHexString(sa.Str("authentication_key")[2..]));
        var enc = AlgorithmCatalog.FindKeyword("aes128")!.Encryption!;
        var integ = AlgorithmCatalog.FindKeyword("sha1")!.Integrity!;
        int frames = 0;
        foreach (var f in doc.RootElement.GetProperty("frames").EnumerateArray())
        {
            var (encKey, authKey) = keys[f.Str("spi")];
            var packet = f.Hex("esp_packet");
            var icv = f.Hex("icv");
            using var mac = integ.CreateContext(authKey);
            // RFC 4303 §3.3.2: the ICV covers SPI, sequence number, IV and ciphertext.
            Assert.True(mac.Verify(packet.AsSpan(0, packet.Length - icv.Length), icv));
            using var cipher = enc.CreateContext(encKey);
            var ct = f.Hex("ciphertext");
            var plain = new byte[ct.Length];
            Assert.True(cipher.Decrypt(f.Hex("iv"), default, ct, default, plain));
            Assert.Equal(f.Str("plaintext_with_trailer"), Convert.ToHexString(plain), ignoreCase: true);
            Assert.Equal(4, plain[^1]); // next header: IPv4 (tunnel mode)
            frames++;
        }
        Assert.Equal(6, frames);
    }
}
