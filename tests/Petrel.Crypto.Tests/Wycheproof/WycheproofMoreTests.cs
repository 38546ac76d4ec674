using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Wycheproof;

/// <summary>
/// The remaining applicable Wycheproof files. Not applicable here: aes_gmac (RFC 4543 ESP authenticates
/// SPI||seq||IV||payload, which a Wycheproof GMAC input cannot be framed as), and the signature files
/// (ecdsa, rsa, ed25519, ed448), which belong to IKE authentication, not to this layer.
/// </summary>
public class WycheproofMoreTests
{
    [Fact]
    public void Aes_ccm_generic_mode_accepts_valid_and_rejects_invalid()
    {
        using var doc = VectorFile.Load("wycheproof/aes_ccm_test.json");
        int run = 0, ipsec = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            int tagBytes = group.GetProperty("tagSize").GetInt32() / 8;
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                var id = $"aes_ccm tcId {t.GetProperty("tcId").GetInt32()}";
                var key = t.Hex("key"); var nonce = t.Hex("iv"); var aad = t.Hex("aad");
                var msg = t.Hex("msg"); var ct = t.Hex("ct"); var tag = t.Hex("tag");
                bool valid = t.Str("result") == "valid";
                if (tag.Length < 8)
                    continue; // IPsec ICVs are 8, 12 or 16 bytes (RFC 4309 §3); shorter tags do not apply
                // Petrel's own CCM (used for Camellia) run with an AES engine over every nonce size.
                using var ours = new BlockCipherCcmContext(BlockCipherKind.Aes, key, [0, 0, 0], 16);
                var opened = new byte[ct.Length];
                bool ok = ours.Open(nonce, aad, ct, tag, opened);
                Assert.True(valid == ok, id);
                if (valid)
                {
                    Assert.True(msg.AsSpan().SequenceEqual(opened), id);
                    var sealedCt = new byte[msg.Length];
                    var sealedTag = new byte[tag.Length];
                    ours.Seal(nonce, aad, msg, sealedCt, sealedTag);
                    Assert.True(ct.AsSpan().SequenceEqual(sealedCt) && tag.AsSpan().SequenceEqual(sealedTag), id);
                }
                // The ESP framing (RFC 4309: 11-byte nonce = 3-byte salt || 8-byte IV) through the catalogue.
                if (nonce.Length == 11 && tagBytes is 8 or 12 or 16 && tag.Length == tagBytes)
                {
                    var alg = AlgorithmCatalog.FindKeyword($"aes{key.Length * 8}ccm{tagBytes}")!.Encryption!;
                    using var esp = alg.CreateContext([.. key, .. nonce[..3]]);
                    Assert.True(valid == esp.Decrypt(nonce[3..], aad, ct, tag, opened), id);
                    ipsec++;
                }
                run++;
            }
        }
        Assert.True(run > 400 && ipsec > 10, $"{run} run, {ipsec} through ESP framing");
    }

    [Fact]
    public void Aes_cmac_accepts_valid_and_rejects_invalid()
    {
        using var doc = VectorFile.Load("wycheproof/aes_cmac_test.json");
        int run = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            if (group.GetProperty("keySize").GetInt32() != 128)
                continue; // AES-CMAC-96 and PRF_AES128_CMAC are AES-128 only (RFC 4494, RFC 4615)
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                using var mac = new AesCmacMac(t.Hex("key"));
                var full = new byte[16];
                mac.Compute(t.Hex("msg"), full);
                var tag = t.Hex("tag");
                bool matches = CryptographicOperations.FixedTimeEquals(full.AsSpan(0, tag.Length), tag);
                Assert.True((t.Str("result") == "valid") == matches, $"aes_cmac tcId {t.GetProperty("tcId").GetInt32()}");
                run++;
            }
        }
        Assert.True(run > 50);
    }

    [Fact]
    public void Aes_cbc_valid_vectors_decrypt_to_message_plus_padding()
    {
        // ESP pads by itself (RFC 4303 §2.4); the PKCS#5 padding checks Wycheproof's invalid cases test
        // belong to that layer, so only valid vectors apply to the raw CBC context.
        using var doc = VectorFile.Load("wycheproof/aes_cbc_pkcs5_test.json");
        int run = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                if (t.Str("result") != "valid") continue;
                var key = t.Hex("key"); var ct = t.Hex("ct"); var msg = t.Hex("msg");
                using var ctx = new AesCbcEncryption(key.Length).CreateContext(key);
                var pt = new byte[ct.Length];
                Assert.True(ctx.Decrypt(t.Hex("iv"), default, ct, default, pt));
                int pad = 16 - msg.Length % 16;
                Assert.Equal(msg, pt[..msg.Length]);
                Assert.All(pt[msg.Length..], b => Assert.Equal(pad, b));
                var again = new byte[ct.Length];
                ctx.Encrypt(t.Hex("iv"), default, pt, again, default);
                Assert.Equal(ct, again);
                run++;
            }
        }
        Assert.True(run > 20);
    }

    [Fact]
    public void X448_valid_shares_match_zero_shares_and_bad_lengths_are_refused()
    {
        using var doc = VectorFile.Load("wycheproof/x448_test.json");
        int run = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                var id = $"x448 tcId {t.GetProperty("tcId").GetInt32()}";
                var shared = t.Hex("shared");
                var pub = t.Hex("public");
                using var state = new Curve448State(t.Hex("private"));
                if (t.Str("result") == "invalid" || shared.All(b => b == 0))
                    Assert.Throws<CryptographicException>(() => state.ComputeSharedSecret(pub));
                else
                    Assert.True(shared.AsSpan().SequenceEqual(state.ComputeSharedSecret(pub)), id);
                run++;
            }
        }
        Assert.True(run > 400);
    }

    [Theory]
    [InlineData("ecdh_secp224r1_test.json", 26)]
    [InlineData("ecdh_secp256r1_test.json", 19)]
    [InlineData("ecdh_secp384r1_test.json", 20)]
    [InlineData("ecdh_secp521r1_test.json", 21)]
    [InlineData("ecdh_brainpoolP224r1_test.json", 27)]
    [InlineData("ecdh_brainpoolP256r1_test.json", 28)]
    [InlineData("ecdh_brainpoolP384r1_test.json", 29)]
    [InlineData("ecdh_brainpoolP512r1_test.json", 30)]
    public void Ecdh_spki_vectors_through_the_ike_encoding(string file, int groupId)
    {
        var group = (EcpGroup)AlgorithmCatalog.Get(new Petrel.Crypto.Proposals.Transform(TransformType.KeyExchange, (ushort)groupId)).KeyExchange!;
        using var doc = VectorFile.Load("wycheproof/" + file);
        int agreed = 0, refused = 0;
        var accepted = new List<string>();
        foreach (var tg in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in tg.GetProperty("tests").EnumerateArray())
            {
                var id = $"{file} tcId {t.GetProperty("tcId").GetInt32()}";
                // IKE fixes the curve by the group number and carries only X || Y (RFC 5903 §7), so take the
                // uncompressed point at the end of the SubjectPublicKeyInfo BIT STRING; curve-parameter and
                // ASN.1 mutations have no IKE equivalent and are not applicable.
                var spki = t.Hex("public");
                int n = group.PublicKeyLength;
                bool hasPoint = spki.Length > n + 2 && spki[^(n + 1)] == 4 && spki[^(n + 2)] == 0;
                var flags = t.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToHashSet();
                using var state = new EcpKeyExchangeState(group, t.Hex("private"));
                var result = t.Str("result");
                if (result == "valid" && hasPoint)
                {
                    Assert.True(t.Hex("shared").AsSpan().SequenceEqual(state.ComputeSharedSecret(spki.AsSpan(spki.Length - n))), id);
                    agreed++;
                }
                // "WrongCurve" keys name another curve's OID; some of their points also lie on ours (brainpool
                // r1/t1 share points), and since IKE names the curve by group number those are valid here.
                else if (result == "invalid" && hasPoint && (flags.Contains("InvalidCurveAttack") || flags.Contains("ModifiedPublicPoint")))
                {
                    try
                    {
                        state.ComputeSharedSecret(spki.AsSpan(spki.Length - n));
                        accepted.Add($"{id} [{string.Join(",", flags)}]");
                    }
                    catch (CryptographicException)
                    {
                        refused++;
                    }
                }
            }
        }
        Assert.Empty(accepted);
        Assert.True(agreed > 100 && refused > 5, $"{agreed} agreed, {refused} refused");
    }

    [Theory]
    [InlineData("mlkem_512_test.json", 35)]
    [InlineData("mlkem_768_test.json", 36)]
    [InlineData("mlkem_1024_test.json", 37)]
    public void Ml_kem_keygen_and_decapsulation(string file, int id)
    {
        var method = (MlKemMethod)AlgorithmCatalog.Get(new Petrel.Crypto.Proposals.Transform(TransformType.KeyExchange, (ushort)id)).KeyExchange!;
        using var doc = VectorFile.Load("wycheproof/" + file);
        int valid = 0, invalid = 0;
        foreach (var tg in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in tg.GetProperty("tests").EnumerateArray())
            {
                var tc = $"{file} tcId {t.GetProperty("tcId").GetInt32()}";
                if (t.Str("result") == "valid")
                {
                    using var state = new MlKemState(method, t.Hex("seed"));
                    Assert.True(t.Hex("ek").AsSpan().SequenceEqual(state.PublicKey), tc);
                    Assert.True(t.Hex("K").AsSpan().SequenceEqual(state.ComputeSharedSecret(t.Hex("c"))), tc);
                    valid++;
                }
                else
                {
                    // Wrong-length seeds or ciphertexts: refused, never a silent secret.
                    Assert.ThrowsAny<Exception>(() =>
                    {
                        using var state = new MlKemState(method, t.Hex("seed"));
                        _ = state.PublicKey;
                        state.ComputeSharedSecret(t.Hex("c"));
                    });
                    invalid++;
                }
            }
        }
        Assert.True(valid > 5 && invalid > 5, $"{valid} valid, {invalid} invalid");
    }

    [Fact]
    public void Ml_kem_768_encapsulation_is_deterministic_given_m_and_rejects_bad_keys()
    {
        using var doc = VectorFile.Load("wycheproof/mlkem_768_encaps_test.json");
        int valid = 0, invalid = 0;
        foreach (var tg in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in tg.GetProperty("tests").EnumerateArray())
            {
                var tc = $"encaps tcId {t.GetProperty("tcId").GetInt32()}";
                // The responder's randomness m comes through IRandom.
                using var responder = MlKemMethod.MlKem768.Create(new FixedRandom(t.Hex("m")));
                if (t.Str("result") == "valid")
                {
                    var k = responder.ComputeSharedSecret(t.Hex("ek"));
                    Assert.True(t.Hex("K").AsSpan().SequenceEqual(k), tc);
                    Assert.True(t.Hex("c").AsSpan().SequenceEqual(responder.PublicKey), tc);
                    valid++;
                }
                else
                {
                    Assert.Throws<CryptographicException>(() => responder.ComputeSharedSecret(t.Hex("ek")));
                    invalid++;
                }
            }
        }
        Assert.True(valid > 5 && invalid > 5, $"{valid} valid, {invalid} invalid");
    }
}
