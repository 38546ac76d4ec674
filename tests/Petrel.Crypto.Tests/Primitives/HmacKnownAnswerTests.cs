using Petrel.Crypto.Primitives;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Primitives;

public class HmacKnownAnswerTests
{
    public static TheoryData<int> Cases()
    {
        using var doc = VectorFile.Load("rfc4231_hmac.json");
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("tests").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    private static HashKind Hash(string name) => name switch
    {
        "sha1" => HashKind.Sha1, "sha256" => HashKind.Sha256, "sha384" => HashKind.Sha384, "sha512" => HashKind.Sha512,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hmac_integrity_matches_rfc_vector_truncated_to_its_length(int index)
    {
        using var doc = VectorFile.Load("rfc4231_hmac.json");
        var t = doc.RootElement.GetProperty("tests")[index];
        var key = t.Hex("key");
        var mac = t.Hex("mac");
        var alg = new HmacIntegrity(Hash(t.Str("hash")), mac.Length, key.Length);
        using var ctx = alg.CreateContext(key);
        var icv = new byte[mac.Length];
        ctx.Compute(t.Hex("data"), icv);
        Assert.Equal(Convert.ToHexString(mac), Convert.ToHexString(icv));
        Assert.True(ctx.Verify(t.Hex("data"), mac));
        mac[^1] ^= 1;
        Assert.False(ctx.Verify(t.Hex("data"), mac));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hmac_prf_matches_untruncated_rfc_vector(int index)
    {
        using var doc = VectorFile.Load("rfc4231_hmac.json");
        var t = doc.RootElement.GetProperty("tests")[index];
        var prf = new HmacPrf(Hash(t.Str("hash")));
        var expected = t.Hex("mac");
        var output = prf.Compute(t.Hex("key"), t.Hex("data"));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output.AsSpan(0, expected.Length)));
    }

    [Fact]
    public void Hmac_sha256_128_context_is_reusable_across_packets()
    {
        var alg = new HmacIntegrity(HashKind.Sha256, 16);
        using var ctx = alg.CreateContext(new byte[32]);
        var a = new byte[16];
        var b = new byte[16];
        ctx.Compute("packet one"u8, a);
        ctx.Compute("packet two"u8, b);
        ctx.Compute("packet one"u8, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Hmac_verify_rejects_wrong_length_icv_without_throwing()
    {
        using var ctx = new HmacIntegrity(HashKind.Sha1, 12).CreateContext(new byte[20]);
        Assert.False(ctx.Verify("x"u8, new byte[11]));
    }
}
