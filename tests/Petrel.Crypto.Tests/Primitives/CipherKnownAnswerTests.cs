using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Primitives;

public class CipherKnownAnswerTests
{
    public static TheoryData<string> Cases()
    {
        using var doc = VectorFile.Load("aead_kat.json");
        var data = new TheoryData<string>();
        foreach (var t in doc.RootElement.GetProperty("tests").EnumerateArray()) data.Add(t.Str("name"));
        return data;
    }

    private static System.Text.Json.JsonElement Find(System.Text.Json.JsonDocument doc, string name)
    {
        foreach (var t in doc.RootElement.GetProperty("tests").EnumerateArray())
            if (t.Str("name") == name) return t;
        throw new ArgumentException(name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encrypt_matches_vector_and_decrypt_round_trips(string name)
    {
        using var doc = VectorFile.Load("aead_kat.json");
        var t = Find(doc, name);
        var alg = AlgorithmCatalog.FindKeyword(t.Str("algorithm"))!.Encryption!;
        var pt = t.Hex("plaintext");
        var expectedTag = t.Hex("tag");
        using var ctx = alg.CreateContext(t.Hex("keymat"));

        var ct = new byte[pt.Length];
        var tag = new byte[alg.IcvLength];
        ctx.Encrypt(t.Hex("iv"), t.Hex("aad"), pt, ct, tag);
        Assert.Equal(t.Str("ciphertext"), Convert.ToHexString(ct), ignoreCase: true);
        Assert.Equal(Convert.ToHexString(expectedTag), Convert.ToHexString(tag));

        var back = new byte[ct.Length];
        Assert.True(ctx.Decrypt(t.Hex("iv"), t.Hex("aad"), ct, tag, back));
        Assert.Equal(pt, back);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decrypt_returns_false_and_clears_output_on_tampered_aead(string name)
    {
        using var doc = VectorFile.Load("aead_kat.json");
        var t = Find(doc, name);
        var alg = AlgorithmCatalog.FindKeyword(t.Str("algorithm"))!.Encryption!;
        if (!alg.IsAead) return; // CBC has no authentication of its own
        using var ctx = alg.CreateContext(t.Hex("keymat"));
        var ct = t.Hex("ciphertext");
        ct[3] ^= 0x80;
        var output = new byte[ct.Length];
        Assert.False(ctx.Decrypt(t.Hex("iv"), t.Hex("aad"), ct, t.Hex("tag"), output));
        Assert.All(output, b => Assert.Equal(0, b));

        var aad = t.Hex("aad");
        aad[0] ^= 1;
        Assert.False(ctx.Decrypt(t.Hex("iv"), aad, t.Hex("ciphertext"), t.Hex("tag"), output));
    }

    [Fact]
    public void Cbc_decrypt_rejects_partial_block()
    {
        var alg = AlgorithmCatalog.FindKeyword("aes256")!.Encryption!;
        using var ctx = alg.CreateContext(new byte[32]);
        Assert.False(ctx.Decrypt(new byte[16], default, new byte[17], default, new byte[17]));
    }

    [Theory]
    [InlineData("des", 8, 8, 8, 0)]
    [InlineData("3des", 24, 8, 8, 0)]
    [InlineData("aes128", 16, 16, 16, 0)]
    [InlineData("aes256", 32, 16, 16, 0)]
    [InlineData("aes128gcm16", 20, 8, 4, 16)]
    [InlineData("aes256gcm8", 36, 8, 4, 8)]
    [InlineData("aes192gcm12", 28, 8, 4, 12)]
    [InlineData("chacha20poly1305", 36, 8, 4, 16)]
    public void Encryption_sizes_follow_the_rfcs(string keyword, int keyLength, int ivLength, int blockSize, int icv)
    {
        var alg = AlgorithmCatalog.FindKeyword(keyword)!.Encryption!;
        Assert.Equal(keyLength, alg.KeyLength);
        Assert.Equal(ivLength, alg.IvLength);
        Assert.Equal(blockSize, alg.BlockSize);
        Assert.Equal(icv, alg.IcvLength);
    }

    [Fact]
    public void Gcm8_matches_bouncycastle_gcm_with_64_bit_tag()
    {
        // Independent model: BouncyCastle's GCM with a 64-bit MAC over random inputs.
        var rnd = new Random(7);
        var keymat = new byte[20];
        rnd.NextBytes(keymat);
        var alg = AlgorithmCatalog.FindKeyword("aes128gcm8")!.Encryption!;
        using var ctx = alg.CreateContext(keymat);
        for (int len = 0; len < 70; len += 7)
        {
            var iv = new byte[8];
            var aad = new byte[12];
            var pt = new byte[len];
            rnd.NextBytes(iv); rnd.NextBytes(aad); rnd.NextBytes(pt);
            var ct = new byte[len];
            var tag = new byte[8];
            ctx.Encrypt(iv, aad, pt, ct, tag);

            var gcm = new Org.BouncyCastle.Crypto.Modes.GcmBlockCipher(new Org.BouncyCastle.Crypto.Engines.AesEngine());
            var nonce = keymat[16..].Concat(iv).ToArray();
            gcm.Init(true, new Org.BouncyCastle.Crypto.Parameters.AeadParameters(
                new Org.BouncyCastle.Crypto.Parameters.KeyParameter(keymat[..16]), 64, nonce, aad));
            var expected = new byte[gcm.GetOutputSize(len)];
            int n = gcm.ProcessBytes(pt, 0, len, expected, 0);
            gcm.DoFinal(expected, n);
            Assert.Equal(expected, ct.Concat(tag).ToArray());

            var back = new byte[len];
            Assert.True(ctx.Decrypt(iv, aad, ct, tag, back));
            Assert.Equal(pt, back);
        }
    }
}
