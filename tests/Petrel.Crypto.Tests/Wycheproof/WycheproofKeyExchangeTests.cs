using System.Security.Cryptography;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Tests.Support;

namespace Petrel.Crypto.Tests.Wycheproof;

public class WycheproofKeyExchangeTests
{
    [Fact]
    public void X25519_valid_shares_match_and_zero_shares_are_refused()
    {
        using var doc = VectorFile.Load("wycheproof/x25519_test.json");
        int run = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                var id = $"x25519 tcId {t.GetProperty("tcId").GetInt32()}";
                var shared = t.Hex("shared");
                using var state = new Curve25519State(t.Hex("private"));
                if (shared.All(b => b == 0))
                {
                    // RFC 8031 §2.3: an all-zero result is an error in IKE even where Wycheproof calls it acceptable.
                    Assert.Throws<CryptographicException>(() => state.ComputeSharedSecret(t.Hex("public")));
                }
                else
                {
                    // Valid and "acceptable" (non-canonical u, twist points) agree with RFC 7748's decoding.
                    Assert.True(shared.AsSpan().SequenceEqual(state.ComputeSharedSecret(t.Hex("public"))), id);
                }
                run++;
            }
        }
        Assert.True(run > 500);
    }

    [Theory]
    [InlineData("ecdh_secp256r1_ecpoint_test.json", 19)]
    [InlineData("ecdh_secp384r1_ecpoint_test.json", 20)]
    [InlineData("ecdh_secp521r1_ecpoint_test.json", 21)]
    public void Ecdh_valid_points_agree_invalid_and_non_ike_encodings_are_refused(string file, int groupId)
    {
        var group = groupId switch { 19 => EcpGroup.Ecp256, 20 => EcpGroup.Ecp384, _ => EcpGroup.Ecp521 };
        using var doc = VectorFile.Load("wycheproof/" + file);
        int agreed = 0, refused = 0;
        foreach (var tg in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var t in tg.GetProperty("tests").EnumerateArray())
            {
                var id = $"{file} tcId {t.GetProperty("tcId").GetInt32()}";
                var pub = t.Hex("public");
                // IKE carries X || Y without the 0x04 prefix (RFC 5903 §7); any other encoding must fail.
                bool uncompressed = pub.Length == 1 + group.PublicKeyLength && pub[0] == 4;
                var keData = uncompressed ? pub[1..] : pub;
                using var state = new EcpKeyExchangeState(group, t.Hex("private"));
                var result = t.Str("result");
                if (result == "valid" && uncompressed)
                {
                    Assert.True(t.Hex("shared").AsSpan().SequenceEqual(state.ComputeSharedSecret(keData)), id);
                    agreed++;
                }
                else if (result == "invalid" || !uncompressed)
                {
                    Assert.Throws<CryptographicException>(() => state.ComputeSharedSecret(keData));
                    refused++;
                }
            }
        }
        Assert.True(agreed > 100 && refused > 5, $"{agreed} agreed, {refused} refused");
    }
}
