using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Primitives;

public class CounterModeKnownAnswerTests
{
    [Fact]
    public void Aes_and_camellia_ctr_match_rfc3686_and_rfc5528()
    {
        using var doc = VectorFile.Load("rfc_ctr.json");
        foreach (var t in doc.RootElement.GetProperty("tests").EnumerateArray())
        {
            var alg = AlgorithmCatalog.FindKeyword(t.Str("algorithm"))!.Encryption!;
            using var ctx = alg.CreateContext(t.Hex("keymat"));
            var pt = t.Hex("plaintext");
            var ct = new byte[pt.Length];
            ctx.Encrypt(t.Hex("iv"), default, pt, ct, default);
            Assert.Equal(t.Str("ciphertext"), Convert.ToHexString(ct), ignoreCase: true);
            var back = new byte[ct.Length];
            Assert.True(ctx.Decrypt(t.Hex("iv"), default, ct, default, back));
            Assert.Equal(pt, back);
        }
    }

    [Fact]
    public void Aes_ctr_spans_several_keystream_chunks()
    {
        // Longer than the 256-byte chunk the context builds at a time; compared with a block-by-block model.
        var alg = AlgorithmCatalog.FindKeyword("aes256ctr")!.Encryption!;
        var rnd = new Random(3);
        var keymat = new byte[36];
        var iv = new byte[8];
        var pt = new byte[1400];
        rnd.NextBytes(keymat); rnd.NextBytes(iv); rnd.NextBytes(pt);
        using var ctx = alg.CreateContext(keymat);
        var ct = new byte[pt.Length];
        ctx.Encrypt(iv, default, pt, ct, default);

        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = keymat[..32];
        for (int block = 0; block * 16 < pt.Length; block++)
        {
            byte[] counter = [.. keymat[32..], .. iv, 0, 0, (byte)((block + 1) >> 8), (byte)(block + 1)];
            var ks = aes.EncryptEcb(counter, System.Security.Cryptography.PaddingMode.None);
            for (int i = 0; i < 16 && block * 16 + i < pt.Length; i++)
                Assert.Equal((byte)(pt[block * 16 + i] ^ ks[i]), ct[block * 16 + i]);
        }
    }
}
