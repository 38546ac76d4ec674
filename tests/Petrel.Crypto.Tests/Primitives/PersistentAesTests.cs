using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Tests.Primitives;

/// <summary>
/// The persistent-context AES carries CBC state between calls and compensates for it; these tests
/// reuse one context across many packets and compare each with the runtime's one-shot API.
/// </summary>
public class PersistentAesTests
{
    [Fact]
    public void Cbc_context_reused_across_packets_matches_one_shot_cbc()
    {
        var rnd = new Random(21);
        var key = new byte[32];
        rnd.NextBytes(key);
        using var reference = Aes.Create();
        reference.Key = key;
        using var ctx = AlgorithmCatalog.FindKeyword("aes256")!.Encryption!.CreateContext(key);
        for (int packet = 0; packet < 200; packet++)
        {
            var iv = new byte[16];
            var pt = new byte[16 * rnd.Next(0, 120)];
            rnd.NextBytes(iv); rnd.NextBytes(pt);
            var ct = new byte[pt.Length];
            ctx.Encrypt(iv, default, pt, ct, default);
            Assert.Equal(reference.EncryptCbc(pt, iv, PaddingMode.None), ct);

            // Every other packet decrypts in place, as the data plane does.
            var back = packet % 2 == 0 ? ct : new byte[ct.Length];
            Assert.True(ctx.Decrypt(iv, default, ct, default, back));
            Assert.Equal(pt, back);
        }
    }

    [Fact]
    public void Xcbc_and_cmac_reused_across_messages_match_fresh_instances()
    {
        var rnd = new Random(4);
        var key = new byte[16];
        rnd.NextBytes(key);
        using var xcbc = new AesXcbcMac(key);
        using var cmac = new AesCmacMac(key);
        for (int i = 0; i < 100; i++)
        {
            var msg = new byte[rnd.Next(0, 200)];
            rnd.NextBytes(msg);
            var a = new byte[16];
            var b = new byte[16];
            xcbc.Compute(msg, a);
            using (var fresh = new AesXcbcMac(key)) fresh.Compute(msg, b);
            Assert.Equal(b, a);
            cmac.Compute(msg, a);
            using (var fresh = new AesCmacMac(key)) fresh.Compute(msg, b);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Packets_larger_than_the_initial_scratch_buffer_work()
    {
        var key = new byte[16];
        using var ctx = AlgorithmCatalog.FindKeyword("aes128")!.Encryption!.CreateContext(key);
        using var reference = Aes.Create();
        reference.Key = key;
        var iv = new byte[16];
        iv[0] = 9;
        var pt = new byte[65536];
        new Random(1).NextBytes(pt);
        var ct = new byte[pt.Length];
        ctx.Encrypt(iv, default, pt, ct, default);
        Assert.Equal(reference.EncryptCbc(pt, iv, PaddingMode.None), ct);
    }
}
