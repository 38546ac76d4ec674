using Petrel.Crypto.Primitives;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Wycheproof;

/// <summary>
/// Wycheproof AEAD vectors through the ESP-shaped API: the 12-byte nonce is split into the 4-byte salt
/// (appended to the key, RFC 4106 §8.1 / RFC 7634 §2) and the 8-byte explicit IV. Vectors with other nonce
/// sizes cannot be expressed in IPsec and are counted but not run.
/// </summary>
public class WycheproofAeadTests
{
    [Theory]
    [InlineData("aes_gcm_test.json")]
    [InlineData("chacha20_poly1305_test.json")]
    public void Valid_vectors_seal_and_open_invalid_ones_are_refused(string file)
    {
        using var doc = VectorFile.Load("wycheproof/" + file);
        int run = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            int ivBits = group.GetProperty("ivSize").GetInt32();
            int keyBits = group.GetProperty("keySize").GetInt32();
            int tagBits = group.GetProperty("tagSize").GetInt32();
            if (ivBits != 96 || tagBits is not (64 or 96 or 128))
                continue;
            EncryptionAlgorithm alg = file.StartsWith("aes")
                ? new AesGcmEncryption(keyBits / 8, tagBits / 8)
                : ChaCha20Poly1305Encryption.Instance;
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                var nonce = t.Hex("iv");
                var key = t.Hex("key");
                var aad = t.Hex("aad");
                var msg = t.Hex("msg");
                var ct = t.Hex("ct");
                var tag = t.Hex("tag");
                using var ctx = alg.CreateContext([.. key, .. nonce[..4]]);
                var iv = nonce[4..];
                var opened = new byte[ct.Length];
                bool ok = tag.Length == alg.IcvLength && ctx.Decrypt(iv, aad, ct, tag, opened);
                var id = $"{file} tcId {t.GetProperty("tcId").GetInt32()}";
                if (t.Str("result") == "valid")
                {
                    Assert.True(ok, id);
                    Assert.True(msg.AsSpan().SequenceEqual(opened), id);
                    var sealedCt = new byte[msg.Length];
                    var sealedTag = new byte[alg.IcvLength];
                    ctx.Encrypt(iv, aad, msg, sealedCt, sealedTag);
                    Assert.True(ct.AsSpan().SequenceEqual(sealedCt), id);
                    Assert.True(tag.AsSpan().SequenceEqual(sealedTag), id);
                }
                else
                {
                    Assert.False(ok, id);
                }
                run++;
            }
        }
        Assert.True(run > 100, $"only {run} vectors applicable");
    }
}
