using System.Security.Cryptography;
using Petrel.Ike.Keying;
using static Petrel.Ike.Tests.Keying.HmacSha256Reference;

namespace Petrel.Ike.Tests.Keying;

/// <summary>
/// RFC 9370 §2.2.4 as strongSwan 6 computes it (keymat_v2.c): after IKE_FOLLOWUP_KE the secrets of the additional key
/// exchanges follow the nonces, KEYMAT = prf+(SK_d, SK(0) | Ni | Nr | SK(1) | … | SK(n)) and
/// SKEYSEED = prf(SK_d, SK(0) | Ni | Nr | SK(1) | … | SK(n)). Checked against HMAC-SHA-256 computed here by hand; a
/// first build put every secret before the nonces and passed Petrel⇄Petrel but not against strongSwan 6.0.1.
/// </summary>
public class AdditionalKeyExchangeDerivationTests
{
    private static readonly byte[] SkD = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Ni = Enumerable.Repeat((byte)0xa1, 32).ToArray();
    private static readonly byte[] Nr = Enumerable.Repeat((byte)0xb2, 32).ToArray();
    private static readonly byte[] Sk0 = Enumerable.Repeat((byte)0x10, 32).ToArray();
    private static readonly byte[] Sk1 = Enumerable.Repeat((byte)0x21, 48).ToArray();
    private static readonly byte[] Sk2 = Enumerable.Repeat((byte)0x32, 32).ToArray();

    [Fact]
    public void Child_keymat_puts_the_additional_secrets_after_the_nonces()
    {
        using var keys = IkeKeyDerivation.DeriveChildSaKeys(new RecordingPrf(), SkD, Sk0, Ni, Nr, 36, 0, [.. Sk1, .. Sk2]);

        byte[] seed = [.. Sk0, .. Ni, .. Nr, .. Sk1, .. Sk2];
        var keymat = PrfPlus(SkD, seed, 72);
        Assert.Equal(keymat[..36], keys.EncryptionInitiatorToResponder);
        Assert.Equal(keymat[36..72], keys.EncryptionResponderToInitiator);

        // Not the order that concatenates every secret first.
        using var wrong = IkeKeyDerivation.DeriveChildSaKeys(new RecordingPrf(), SkD, [.. Sk0, .. Sk1, .. Sk2], Ni, Nr, 36, 0);
        Assert.NotEqual(wrong.EncryptionInitiatorToResponder, keys.EncryptionInitiatorToResponder);
    }

    [Fact]
    public void Rekeyed_skeyseed_puts_the_additional_secrets_after_the_nonces()
    {
        var skeyseed = IkeKeyDerivation.ComputeRekeyedSkeyseed(new RecordingPrf(), SkD, Sk0, Ni, Nr, Sk1);

        Assert.Equal(Prf(SkD, Sk0, Ni, Nr, Sk1), skeyseed);
    }

    [Fact]
    public void Without_additional_secrets_both_are_the_rfc_7296_formulas()
    {
        Assert.Equal(Prf(SkD, Sk0, Ni, Nr), IkeKeyDerivation.ComputeRekeyedSkeyseed(new RecordingPrf(), SkD, Sk0, Ni, Nr));
    }
}
