using System.Security.Cryptography;
using Org.BouncyCastle.Math;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.KeyExchange;

public class ModpGroupTests
{
    public static TheoryData<ushort> Groups() => [1, 2, 5, 14, 15, 16];

    private static ModpGroup Group(ushort id) => id switch
    {
        1 => ModpGroup.Modp768, 2 => ModpGroup.Modp1024, 5 => ModpGroup.Modp1536, 14 => ModpGroup.Modp2048,
        15 => ModpGroup.Modp3072, 16 => ModpGroup.Modp4096, 17 => ModpGroup.Modp6144, 18 => ModpGroup.Modp8192,
        _ => throw new ArgumentException(null, nameof(id)),
    };

    [Theory]
    [MemberData(nameof(Groups))]
    public void Prime_has_the_rfc_structure(ushort id)
    {
        // RFC 2409 §6 / RFC 3526: p = 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) pi) + k), a safe prime, g = 2.
        var g = Group(id);
        Assert.Equal(BigInteger.Two, g.G);
        Assert.Equal(g.PublicKeyLength * 8, g.P.BitLength);
        Assert.Equal(ulong.MaxValue, (ulong)g.P.And(BigInteger.ValueOf(long.MaxValue).ShiftLeft(1).Add(BigInteger.One)).LongValue);
        Assert.True(g.P.IsProbablePrime(8));
        Assert.True(g.P.ShiftRight(1).IsProbablePrime(8));
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Exchange_agrees_and_pads_to_prime_length(ushort id)
    {
        var g = Group(id);
        using var a = g.Create(new SeededRandom(id));
        using var b = g.Create(new SeededRandom(id + 77));
        Assert.Equal(g.PublicKeyLength, a.PublicKey.Length);
        var s1 = a.ComputeSharedSecret(b.PublicKey);
        Assert.Equal(g.PublicKeyLength, s1.Length);
        Assert.Equal(s1, b.ComputeSharedSecret(a.PublicKey));
    }

    [Fact]
    public void Degenerate_public_values_are_rejected()
    {
        var g = ModpGroup.Modp2048;
        using var a = g.Create(new SeededRandom(3));
        var len = g.PublicKeyLength;
        var zero = new byte[len];
        var one = new byte[len]; one[^1] = 1;
        var pMinus1 = g.P.Subtract(BigInteger.One).ToByteArrayUnsigned();
        var p = g.P.ToByteArrayUnsigned();
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(zero));
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(one));
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(pMinus1));
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(p));
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(new byte[len - 1]));
    }

    [Fact]
    public void Known_exponent_gives_g_to_the_x()
    {
        // x = 0x0102 (two bytes repeated by FixedRandom across the exponent length) -> check against BigInteger directly.
        var g = ModpGroup.Modp1024;
        var bytes = new byte[] { 0x12, 0x34 };
        using var a = g.Create(new FixedRandom(bytes));
        var exponent = new byte[32];
        new FixedRandom(bytes).Fill(exponent);
        var expected = BigInteger.Two.ModPow(new BigInteger(1, exponent), g.P).ToByteArrayUnsigned();
        Assert.Equal(expected, a.PublicKey.SkipWhile(b => b == 0).ToArray());
    }

    [Theory]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    public void Rfc5114_parameters_define_a_prime_order_subgroup(int id)
    {
        var g = id switch { 22 => ModpGroup.Modp1024S160, 23 => ModpGroup.Modp2048S224, _ => ModpGroup.Modp2048S256 };
        var q = g.Q!;
        Assert.True(g.P.IsProbablePrime(8));
        Assert.True(q.IsProbablePrime(8));
        Assert.Equal(BigInteger.Zero, g.P.Subtract(BigInteger.One).Mod(q));
        Assert.Equal(BigInteger.One, g.G.ModPow(q, g.P));
        Assert.Equal(g.ExponentBits, q.BitLength);
    }

    [Theory]
    [InlineData(22)]
    [InlineData(24)]
    public void Rfc5114_exchange_agrees_and_rejects_values_outside_the_subgroup(int id)
    {
        var g = id == 22 ? ModpGroup.Modp1024S160 : ModpGroup.Modp2048S256;
        using var a = g.Create(new SeededRandom(id));
        using var b = g.Create(new SeededRandom(id + 1));
        Assert.Equal(a.ComputeSharedSecret(b.PublicKey), b.ComputeSharedSecret(a.PublicKey));
        // 2 generates (almost surely) more than the q-order subgroup: RFC 6989 §2.2 says refuse it.
        var two = new byte[g.PublicKeyLength];
        two[^1] = 2;
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(two));
    }
}
