using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.KeyExchange;

public class EcpKnownAnswerTests
{
    [Fact]
    public void Rfc5903_vectors_give_the_published_ke_data_and_shared_secret()
    {
        using var doc = VectorFile.Load("rfc5903_ecp.json");
        foreach (var t in doc.RootElement.GetProperty("tests").EnumerateArray())
        {
            var group = (EcpGroup)AlgorithmCatalog.Get(new Transform(TransformType.KeyExchange, (ushort)t.GetProperty("group").GetInt32())).KeyExchange!;
            // The private scalar arrives through IRandom, as in a real exchange.
            using var initiator = group.Create(new FixedRandom(t.Hex("i")));
            using var responder = group.Create(new FixedRandom(t.Hex("r")));
            Assert.Equal(t.Hex("gi"), initiator.PublicKey);
            Assert.Equal(t.Hex("gr"), responder.PublicKey);
            Assert.Equal(t.Hex("gir"), initiator.ComputeSharedSecret(responder.PublicKey));
            Assert.Equal(t.Hex("gir"), responder.ComputeSharedSecret(initiator.PublicKey));
        }
    }

    [Fact]
    public void Libcrypto_and_runtime_paths_both_give_the_rfc5903_values()
    {
        using var doc = VectorFile.Load("rfc5903_ecp.json");
        foreach (var t in doc.RootElement.GetProperty("tests").EnumerateArray())
        {
            var group = (EcpGroup)AlgorithmCatalog.Get(new Transform(TransformType.KeyExchange, (ushort)t.GetProperty("group").GetInt32())).KeyExchange!;
            // This machine's libcrypto passes the self-test, so the default path is the native one.
            Assert.NotNull(group.Native);
            foreach (bool runtimeOnly in new[] { false, true })
            {
                using var initiator = new EcpKeyExchangeState(group, t.Hex("i"), runtimeOnly);
                using var responder = new EcpKeyExchangeState(group, t.Hex("r"), runtimeOnly);
                Assert.Equal(t.Hex("gi"), initiator.PublicKey);
                Assert.Equal(t.Hex("gr"), responder.PublicKey);
                Assert.Equal(t.Hex("gir"), initiator.ComputeSharedSecret(responder.PublicKey));
                var offCurve = (byte[])initiator.PublicKey.Clone();
                offCurve[^1] ^= 1;
                Assert.Throws<CryptographicException>(() => responder.ComputeSharedSecret(offCurve));
            }
        }
    }

    [Theory]
    [InlineData(19, 64, 32)]
    [InlineData(20, 96, 48)]
    [InlineData(21, 132, 66)]
    [InlineData(28, 64, 32)]
    [InlineData(30, 128, 64)]
    public void Random_exchange_agrees_and_has_rfc5903_sizes(ushort id, int publicLength, int secretLength)
    {
        var method = AlgorithmCatalog.Get(new Transform(TransformType.KeyExchange, id)).KeyExchange!;
        Assert.Equal(publicLength, method.PublicKeyLength);
        using var a = method.Create(new SeededRandom(id));
        using var b = method.Create(new SeededRandom(id + 1000));
        Assert.Equal(publicLength, a.PublicKey.Length);
        var s1 = a.ComputeSharedSecret(b.PublicKey);
        var s2 = b.ComputeSharedSecret(a.PublicKey);
        Assert.Equal(secretLength, s1.Length);
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void Point_not_on_curve_is_rejected()
    {
        using var a = EcpGroup.Ecp256.Create(new SeededRandom(5));
        var bad = (byte[])a.PublicKey.Clone();
        bad[^1] ^= 1;
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(bad));
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(new byte[64]));
        Assert.Throws<CryptographicException>(() => a.ComputeSharedSecret(new byte[65]));
    }
}
