using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Tests.Primitives;

/// <summary>
/// HMAC over libcrypto's low-level digests against the runtime's HMAC, for keys shorter than,
/// equal to and longer than the block, and data from 0 to 2000 bytes; RFC 4231 and Wycheproof
/// vectors reach the same context through <see cref="HmacIntegrity"/> (HmacKnownAnswerTests, WycheproofMacTests).
/// </summary>
public class NativeHmacContextTests
{
    [Theory]
    [InlineData(HashKind.Sha1)]
    [InlineData(HashKind.Sha256)]
    [InlineData(HashKind.Sha384)]
    [InlineData(HashKind.Sha512)]
    public void Catalog_uses_the_native_context_on_this_machine(HashKind hash)
    {
        int outBytes = HashKindInfo.OutputBytes(hash);
        using var ctx = new HmacIntegrity(hash, outBytes / 2).CreateContext(new byte[outBytes]);
        Assert.IsType<NativeHmacContext>(ctx);
    }

    [Theory]
    [InlineData(HashKind.Sha1)]
    [InlineData(HashKind.Sha256)]
    [InlineData(HashKind.Sha384)]
    [InlineData(HashKind.Sha512)]
    public void Matches_runtime_hmac_for_key_and_data_lengths(HashKind hash)
    {
        var rng = new Random((int)hash);
        int outBytes = HashKindInfo.OutputBytes(hash);
        foreach (int keyLength in new[] { 1, outBytes, 64, 128, 129, 200 })
        {
            var key = new byte[keyLength];
            rng.NextBytes(key);
            using var ctx = new HmacIntegrity(hash, outBytes, keyLength).CreateContext(key);
            for (int length = 0; length <= 2000; length += 37)
            {
                var data = new byte[length];
                rng.NextBytes(data);
                var expected = new byte[outBytes];
                HashKindInfo.Hmac(hash, key, data, expected);
                var icv = new byte[outBytes];
                ctx.Compute(data, icv);
                Assert.True(expected.AsSpan().SequenceEqual(icv), $"{hash}, key {keyLength}, data {length}");
                Assert.True(ctx.Verify(data, expected));
                expected[length % outBytes] ^= 0x40;
                Assert.False(ctx.Verify(data, expected));
            }
        }
    }

    [Fact]
    public void Disposed_context_is_not_used()
    {
        var ctx = new HmacIntegrity(HashKind.Sha256, 16).CreateContext(RandomNumberGenerator.GetBytes(32));
        ctx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ctx.Compute("x"u8, new byte[16]));
    }
}
