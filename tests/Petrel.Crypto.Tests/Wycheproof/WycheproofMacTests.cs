using Petrel.Crypto.Primitives;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Wycheproof;

public class WycheproofMacTests
{
    [Theory]
    [InlineData("hmac_sha1_test.json", HashKind.Sha1)]
    [InlineData("hmac_sha256_test.json", HashKind.Sha256)]
    [InlineData("hmac_sha384_test.json", HashKind.Sha384)]
    [InlineData("hmac_sha512_test.json", HashKind.Sha512)]
    public void Hmac_integrity_accepts_valid_and_rejects_modified_tags(string file, HashKind hash)
    {
        using var doc = VectorFile.Load("wycheproof/" + file);
        int run = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            int tagBytes = group.GetProperty("tagSize").GetInt32() / 8;
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                var key = t.Hex("key");
                var msg = t.Hex("msg");
                var tag = t.Hex("tag");
                var id = $"{file} tcId {t.GetProperty("tcId").GetInt32()}";
                using var ctx = new HmacIntegrity(hash, tagBytes, key.Length).CreateContext(key);
                bool valid = t.Str("result") == "valid";
                Assert.Equal(valid, ctx.Verify(msg, tag));
                if (valid)
                {
                    var icv = new byte[tagBytes];
                    ctx.Compute(msg, icv);
                    Assert.True(tag.AsSpan().SequenceEqual(icv), id);
                    if (tagBytes == HashKindInfo.OutputBytes(hash))
                        Assert.True(tag.AsSpan().SequenceEqual(new HmacPrf(hash).Compute(key, msg)), id);
                }
                run++;
            }
        }
        Assert.True(run > 100);
    }
}
