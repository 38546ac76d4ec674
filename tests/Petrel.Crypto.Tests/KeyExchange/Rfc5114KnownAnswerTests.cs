using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.KeyExchange;

/// <summary>
/// RFC 5114 Appendix A through Petrel's key exchange classes: for groups 22, 23, 24 (MODP with
/// prime-order subgroups) and 25, 26 (192/224-bit random ECP), each party's private value goes in through
/// IRandom as in a real exchange, its KE payload must equal the RFC's public value, and both parties must
/// reach the RFC's shared secret from the other's published public value.
/// </summary>
public class Rfc5114KnownAnswerTests
{
    public static TheoryData<int> Groups()
    {
        using var doc = VectorFile.Load("rfc5114_groups.json");
        var data = new TheoryData<int>();
        foreach (var t in doc.RootElement.GetProperty("tests").EnumerateArray())
            data.Add(t.GetProperty("group").GetInt32());
        return data;
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Both_parties_give_the_published_public_values_and_shared_secret(int group)
    {
        using var doc = VectorFile.Load("rfc5114_groups.json");
        var t = doc.RootElement.GetProperty("tests").EnumerateArray().Single(x => x.GetProperty("group").GetInt32() == group);
        var method = AlgorithmCatalog.Get(new Transform(TransformType.KeyExchange, (ushort)group)).KeyExchange!;

        using var a = method.Create(new FixedRandom(t.Hex("xa")));
        using var b = method.Create(new FixedRandom(t.Hex("xb")));
        Assert.Equal(Convert.ToHexString(t.Hex("ya")), Convert.ToHexString(a.PublicKey));
        Assert.Equal(Convert.ToHexString(t.Hex("yb")), Convert.ToHexString(b.PublicKey));
        Assert.Equal(method.PublicKeyLength, a.PublicKey.Length);
        // Each side computes Z from the RFC's value for the other side, not from the object it just built.
        Assert.Equal(Convert.ToHexString(t.Hex("z")), Convert.ToHexString(a.ComputeSharedSecret(t.Hex("yb"))));
        Assert.Equal(Convert.ToHexString(t.Hex("z")), Convert.ToHexString(b.ComputeSharedSecret(t.Hex("ya"))));
    }
}
