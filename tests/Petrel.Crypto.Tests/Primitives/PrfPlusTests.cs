using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Tests.Primitives;

public class PrfPlusTests
{
    [Theory]
    [InlineData(HashKind.Sha256, 1)]
    [InlineData(HashKind.Sha256, 32)]
    [InlineData(HashKind.Sha256, 33)]
    [InlineData(HashKind.Sha1, 100)]
    [InlineData(HashKind.Sha512, 200)]
    public void Expand_concatenates_chained_prf_blocks(HashKind hash, int length)
    {
        var prf = new HmacPrf(hash);
        var key = "key material"u8.ToArray();
        var seed = "Ni | Nr | SPIi | SPIr"u8.ToArray();

        // Re-model RFC 7296 §2.13 directly: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n).
        var expected = new List<byte>();
        byte[] previous = [];
        for (int n = 1; expected.Count < length; n++)
        {
            previous = prf.Compute(key, [.. previous, .. seed, (byte)n]);
            expected.AddRange(previous);
        }

        var output = PrfPlus.Expand(prf, key, seed, length);
        Assert.Equal(expected.Take(length).ToArray(), output);
    }

    [Fact]
    public void Expand_refuses_more_than_255_blocks()
    {
        var prf = new HmacPrf(HashKind.Sha1);
        Assert.Throws<ArgumentOutOfRangeException>(() => PrfPlus.Expand(prf, new byte[20], new byte[4], 255 * 20 + 1));
        Assert.Equal(255 * 20, PrfPlus.Expand(prf, new byte[20], new byte[4], 255 * 20).Length);
    }

    [Fact]
    public void Expand_first_block_is_prf_of_seed_and_counter_one()
    {
        var prf = new HmacPrf(HashKind.Sha256);
        var key = Enumerable.Repeat((byte)0x0b, 20).ToArray();
        var seed = "what do ya want for nothing?"u8.ToArray();
        var t1 = PrfPlus.Expand(prf, key, seed, 32);
        Assert.Equal(prf.Compute(key, [.. seed, 1]), t1);
    }
}
