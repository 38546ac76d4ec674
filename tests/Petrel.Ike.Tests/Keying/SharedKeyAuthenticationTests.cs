using System.Text;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Tests.Wire;
using Petrel.Ike.Wire;
using static Petrel.Ike.Tests.Keying.HmacSha256Reference;

namespace Petrel.Ike.Tests.Keying;

public class SharedKeyAuthenticationTests
{
    private static Petrel.Crypto.Primitives.PrfAlgorithm PrfSha256()
    {
        Assert.True(AlgorithmCatalog.TryFind(new Transform(TransformType.Prf, 5), out var entry));
        return entry.Prf!;
    }

    [Fact]
    public void Psk_auth_matches_a_direct_hmac_computation()
    {
        var prf = PrfSha256();
        var message1 = HandMessage.Build(40, PayloadVectors.Nonce);
        var nr = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();
        var skPi = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var idi = new IdentificationPayload(true, Identity.Parse("moon.strongswan.org"));
        var secret = Encoding.ASCII.GetBytes("This is a strong password");

        // §2.15: InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
        var idBody = Hex.Parse("02000000").Concat(Encoding.ASCII.GetBytes("moon.strongswan.org")).ToArray();
        Assert.Equal(idBody, idi.GetBody());
        var expectedOctets = Concat(message1, nr, Prf(skPi, idBody));
        var octets = SignedOctets.Build(prf, message1, nr, skPi, idi.GetBody());
        Assert.Equal(expectedOctets, octets);

        // AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <InitiatorSignedOctets>)
        var expectedAuth = Prf(Prf(secret, Encoding.ASCII.GetBytes("Key Pad for IKEv2")), expectedOctets);
        Assert.Equal(expectedAuth, SharedKeyAuthentication.Compute(prf, secret, octets));
        Assert.True(SharedKeyAuthentication.Verify(prf, secret, octets, expectedAuth));
        Assert.False(SharedKeyAuthentication.Verify(prf, Encoding.ASCII.GetBytes("this is a strong password"), octets, expectedAuth));
        expectedAuth[^1] ^= 1;
        Assert.False(SharedKeyAuthentication.Verify(prf, secret, octets, expectedAuth));
        Assert.False(SharedKeyAuthentication.Verify(prf, secret, octets, expectedAuth[..16]));
    }

    [Fact]
    public void Signed_octets_change_with_the_message_the_nonce_and_the_identity()
    {
        var prf = PrfSha256();
        var key = new byte[32];
        var message = HandMessage.Build(40, PayloadVectors.Nonce);
        var baseline = SignedOctets.Build(prf, message, [1, 2, 3], key, [2, 0, 0, 0, 0x61]);
        Assert.NotEqual(baseline, SignedOctets.Build(prf, message[..^1], [1, 2, 3], key, [2, 0, 0, 0, 0x61]));
        Assert.NotEqual(baseline, SignedOctets.Build(prf, message, [1, 2, 4], key, [2, 0, 0, 0, 0x61]));
        Assert.NotEqual(baseline, SignedOctets.Build(prf, message, [1, 2, 3], key, [2, 0, 0, 0, 0x62]));
        Assert.Equal(message.Length + 3 + 32, baseline.Length);
    }
}
