using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Tests.Primitives;

/// <summary>
/// The AES-instruction CBC context against the runtime's AES-CBC (OpenSSL) on random keys, IVs and
/// lengths, in place and not, for all three key sizes; the eight-block decryption path and its
/// one-block tail are both crossed (lengths around 128). Wycheproof and SP 800-38A vectors reach
/// the same context through <see cref="AesCbcEncryption"/> (WycheproofMoreTests, CipherKnownAnswerTests).
/// </summary>
public class AesNiCbcContextTests
{
    [Fact]
    public void Catalog_uses_the_aes_instruction_context_on_this_machine()
    {
        Assert.True(AesNiCbcContext.IsSupported, "this machine has AES-NI (see /proc/cpuinfo), so Petrel must use it");
        using var ctx = new AesCbcEncryption(16).CreateContext(new byte[16]);
        Assert.IsType<AesNiCbcContext>(ctx);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Matches_runtime_cbc_for_every_length_up_to_2048(int keyBytes)
    {
        var rng = new Random(keyBytes);
        for (int length = 16; length <= 2048; length += 16)
        {
            var key = new byte[keyBytes];
            var iv = new byte[16];
            var plain = new byte[length];
            rng.NextBytes(key);
            rng.NextBytes(iv);
            rng.NextBytes(plain);
            using var aes = Aes.Create();
            aes.Key = key;
            var expected = aes.EncryptCbc(plain, iv, PaddingMode.None);

            using var ctx = new AesNiCbcContext(key);
            var cipher = new byte[length];
            ctx.Encrypt(iv, default, plain, cipher, default);
            Assert.True(expected.AsSpan().SequenceEqual(cipher), $"encrypt, key {keyBytes}, length {length}");

            var back = new byte[length];
            Assert.True(ctx.Decrypt(iv, default, cipher, default, back));
            Assert.True(plain.AsSpan().SequenceEqual(back), $"decrypt, key {keyBytes}, length {length}");

            // In place, as ESP does it: the buffer holds the plaintext, then the ciphertext.
            var buffer = (byte[])plain.Clone();
            ctx.Encrypt(iv, default, buffer, buffer, default);
            Assert.True(expected.AsSpan().SequenceEqual(buffer), $"encrypt in place, length {length}");
            Assert.True(ctx.Decrypt(iv, default, buffer, default, buffer));
            Assert.True(plain.AsSpan().SequenceEqual(buffer), $"decrypt in place, length {length}");
        }
    }

    [Fact]
    public void Each_packet_starts_from_its_own_iv()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        using var ctx = new AesNiCbcContext(key);
        using var aes = Aes.Create();
        aes.Key = key;
        var plain = RandomNumberGenerator.GetBytes(64);
        for (int i = 0; i < 3; i++)
        {
            var iv = RandomNumberGenerator.GetBytes(16);
            var cipher = new byte[64];
            ctx.Encrypt(iv, default, plain, cipher, default);
            Assert.Equal(aes.EncryptCbc(plain, iv, PaddingMode.None), cipher);
        }
    }

    [Fact]
    public void Bad_input_is_refused_and_a_disposed_context_is_not_used()
    {
        var ctx = new AesNiCbcContext(new byte[32]);
        Assert.False(ctx.Decrypt(new byte[16], default, new byte[33], default, new byte[33]));
        Assert.False(ctx.Decrypt(new byte[8], default, new byte[32], default, new byte[32]));
        Assert.False(ctx.Decrypt(new byte[16], default, new byte[32], default, new byte[16]));
        Assert.Throws<ArgumentException>(() => ctx.Encrypt(new byte[16], default, new byte[17], new byte[32], default));
        Assert.Throws<ArgumentException>(() => new AesNiCbcContext(new byte[20]));
        ctx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ctx.Encrypt(new byte[16], default, new byte[16], new byte[16], default));
    }
}
