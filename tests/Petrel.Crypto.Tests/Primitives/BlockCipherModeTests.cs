using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Tests.Primitives;

/// <summary>The CBC and CCM modes written in Petrel checked against independent implementations.</summary>
public class BlockCipherModeTests
{
    [Theory]
    [InlineData("blowfish128")]
    [InlineData("blowfish256")]
    [InlineData("cast128")]
    [InlineData("camellia192")]
    [InlineData("serpent256")]
    [InlineData("twofish128")]
    public void Cbc_chaining_matches_bouncycastle_cbc(string keyword)
    {
        var alg = (BlockCipherCbcEncryption)AlgorithmCatalog.FindKeyword(keyword)!.Encryption!;
        var rnd = new Random(keyword.Length);
        var key = new byte[alg.KeyLength];
        var iv = new byte[alg.IvLength];
        var pt = new byte[alg.BlockSize * 9];
        rnd.NextBytes(key); rnd.NextBytes(iv); rnd.NextBytes(pt);

        var engine = BlockCipherEngines.Create(alg.Kind, true, key);
        var bc = new CbcBlockCipher(engine);
        bc.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
        var expected = new byte[pt.Length];
        for (int off = 0; off < pt.Length; off += alg.BlockSize)
            bc.ProcessBlock(pt, off, expected, off);

        using var ctx = alg.CreateContext(key);
        var ct = new byte[pt.Length];
        ctx.Encrypt(iv, default, pt, ct, default);
        Assert.Equal(expected, ct);

        // In-place decryption, as the data plane does it.
        Assert.True(ctx.Decrypt(iv, default, ct, default, ct));
        Assert.Equal(pt, ct);
    }

    [Fact]
    public void Camellia_block_matches_rfc3713()
    {
        var key = Convert.FromHexString("0123456789abcdeffedcba9876543210");
        using var ctx = AlgorithmCatalog.FindKeyword("camellia128")!.Encryption!.CreateContext(key);
        var ct = new byte[16];
        ctx.Encrypt(new byte[16], default, key, ct, default); // zero IV: CBC of one block is the raw cipher
        Assert.Equal("67673138549669730857065648EABE43", Convert.ToHexString(ct));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    public void Esp_aes_ccm_and_generic_ccm_with_aes_engine_match_runtime_aes_ccm(int icv)
    {
        var rnd = new Random(icv);
        var keymat = new byte[19];
        rnd.NextBytes(keymat);
        // The independent reference: the runtime's AesCcm with the RFC 4309 nonce salt || IV.
        using var reference = new System.Security.Cryptography.AesCcm(keymat[..16]);
        using var esp = new CcmEncryption(BlockCipherKind.Aes, 16, icv).CreateContext(keymat); // PersistentAes CCM
        using var generic = new BlockCipherCcmContext(BlockCipherKind.Aes, keymat[..16], keymat[16..], icv);
        for (int len = 0; len < 1500; len += len < 80 ? 5 : 331)
        {
            var iv = new byte[8];
            var aad = new byte[len % 3 == 0 ? 8 : 12];
            var pt = new byte[len];
            rnd.NextBytes(iv); rnd.NextBytes(aad); rnd.NextBytes(pt);
            var ct1 = new byte[len]; var tag1 = new byte[icv];
            reference.Encrypt((byte[])[.. keymat[16..], .. iv], pt, ct1, tag1, aad);
            foreach (var ours in new ICipherContext[] { esp, generic })
            {
                var ct2 = new byte[len]; var tag2 = new byte[icv];
                ours.Encrypt(iv, aad, pt, ct2, tag2);
                Assert.Equal(ct1, ct2);
                Assert.Equal(tag1, tag2);
                var back = (byte[])ct2.Clone();
                Assert.True(ours.Decrypt(iv, aad, back, tag2, back)); // in place, as ESP opens
                Assert.Equal(pt, back);
                tag2[0] ^= 1;
                Assert.False(ours.Decrypt(iv, aad, ct2, tag2, back));
            }
        }
    }

    [Fact]
    public void Camellia_ccm_matches_bouncycastle_ccm()
    {
        var rnd = new Random(5);
        var keymat = new byte[35];
        rnd.NextBytes(keymat);
        var alg = AlgorithmCatalog.FindKeyword("camellia256ccm16")!.Encryption!;
        using var ctx = alg.CreateContext(keymat);
        var iv = new byte[8]; var aad = new byte[8]; var pt = new byte[100];
        rnd.NextBytes(iv); rnd.NextBytes(aad); rnd.NextBytes(pt);
        var ct = new byte[pt.Length]; var tag = new byte[16];
        ctx.Encrypt(iv, aad, pt, ct, tag);

        var bc = new CcmBlockCipher(new CamelliaEngine());
        bc.Init(true, new AeadParameters(new KeyParameter(keymat[..32]), 128, [.. keymat[32..], .. iv], aad));
        var expected = new byte[bc.GetOutputSize(pt.Length)];
        int n = bc.ProcessBytes(pt, 0, pt.Length, expected, 0);
        bc.DoFinal(expected, n);
        Assert.Equal(expected, ct.Concat(tag).ToArray());
    }

    [Fact]
    public void Gmac_encryption_authenticates_without_encrypting()
    {
        var rnd = new Random(9);
        var keymat = new byte[20];
        rnd.NextBytes(keymat);
        using var ctx = AlgorithmCatalog.FindKeyword("null_aes128gmac")!.Encryption!.CreateContext(keymat);
        var iv = new byte[8]; var aad = new byte[8]; var pt = new byte[3000];
        rnd.NextBytes(iv); rnd.NextBytes(aad); rnd.NextBytes(pt);
        var ct = new byte[pt.Length]; var tag = new byte[16];
        ctx.Encrypt(iv, aad, pt, ct, tag);
        Assert.Equal(pt, ct);

        // RFC 4543 §3.5: the tag is GMAC over SPI || sequence number || IV || payload with nonce salt || IV.
        using var gcm = new System.Security.Cryptography.AesGcm(keymat[..16], 16);
        var expected = new byte[16];
        byte[] nonce = [.. keymat[16..], .. iv];
        byte[] authenticated = [.. aad, .. iv, .. pt];
        gcm.Encrypt(nonce, Array.Empty<byte>(), Array.Empty<byte>(), expected, authenticated);
        Assert.Equal(expected, tag);

        var back = new byte[pt.Length];
        Assert.True(ctx.Decrypt(iv, aad, ct, tag, back));
        ct[100] ^= 1;
        Assert.False(ctx.Decrypt(iv, aad, ct, tag, back));
    }
}
