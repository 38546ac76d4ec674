using System.Security.Cryptography;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.KeyExchange;

public class X25519KnownAnswerTests
{
    [Fact]
    public void Rfc7748_scalar_multiplication_vector()
    {
        using var doc = VectorFile.Load("rfc7748_x25519.json");
        foreach (var t in doc.RootElement.GetProperty("scalarmult").EnumerateArray())
        {
            using var state = new Curve25519State(t.Hex("scalar"));
            Assert.Equal(t.Hex("output"), state.ComputeSharedSecret(t.Hex("u")));
        }
    }

    [Fact]
    public void Rfc7748_diffie_hellman_both_sides_agree()
    {
        using var doc = VectorFile.Load("rfc7748_x25519.json");
        var dh = doc.RootElement.GetProperty("dh");
        using var alice = new Curve25519State(dh.Hex("alicePrivate"));
        using var bob = new Curve25519State(dh.Hex("bobPrivate"));
        Assert.Equal(dh.Hex("alicePublic"), alice.PublicKey);
        Assert.Equal(dh.Hex("bobPublic"), bob.PublicKey);
        Assert.Equal(dh.Hex("shared"), alice.ComputeSharedSecret(bob.PublicKey));
        Assert.Equal(dh.Hex("shared"), bob.ComputeSharedSecret(alice.PublicKey));
    }

    [Fact]
    public void Low_order_point_giving_all_zero_secret_is_rejected()
    {
        using var state = Curve25519Method.Instance.Create(new SeededRandom(1));
        Assert.Throws<CryptographicException>(() => state.ComputeSharedSecret(new byte[32])); // u = 0
        var one = new byte[32];
        one[0] = 1;
        Assert.Throws<CryptographicException>(() => state.ComputeSharedSecret(one)); // u = 1
    }

    [Fact]
    public void Wrong_length_public_value_is_rejected()
    {
        using var state = Curve25519Method.Instance.Create(new SeededRandom(1));
        Assert.Throws<CryptographicException>(() => state.ComputeSharedSecret(new byte[31]));
    }
}
