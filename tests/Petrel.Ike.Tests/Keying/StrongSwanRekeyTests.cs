using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Tests.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Keying;

/// <summary>
/// A strongSwan 5.9.8 recording (tests/vectors/strongswan/rekey.*) of IKE_SA_INIT, IKE_AUTH with a CHILD_SA,
/// a CHILD_SA rekey with PFS and an IKE SA rekey: the §2.17 CHILD_SA KEYMAT and the §2.18 rekeyed SKEYSEED and
/// SK_* Petrel derives from the captured (and decrypted) nonces, SPIs and strongSwan's g^ir equal strongSwan's.
/// </summary>
public class StrongSwanRekeyTests
{
    private readonly StrongSwanRecording _run = StrongSwanRecording.Load("rekey");
    private readonly IkeCipherSuite _suite;
    private readonly IkeSaKeys _keys;
    private readonly byte[] _ni, _nr;

    public StrongSwanRekeyTests()
    {
        Assert.Equal(12, _run.Messages.Count);
        var init = Plain(_run.Messages[0]);
        var response = Plain(_run.Messages[1]);
        _ni = init.Get<NoncePayload>()!.Data.ToArray();
        _nr = response.Get<NoncePayload>()!.Data.ToArray();
        Assert.True(IkeCipherSuite.TryCreate(Assert.Single(response.Get<SecurityAssociationPayload>()!.Proposals), out var suite, out string error), error);
        _suite = suite!;
        _keys = _suite.DeriveKeys(_run.Bytes("ike1", "shared_secret"), _ni, _nr, response.InitiatorSpi, response.ResponderSpi);
    }

    private static IkeMessage Plain(byte[] bytes)
    {
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(bytes, null, out var m, out _));
        return m!;
    }

    private IkeMessage Decrypt(int index, IkeSaKeys keys)
    {
        var bytes = _run.Messages[index];
        bool fromInitiator = Plain(bytes).IsInitiator;
        using var cipher = _suite.CreateCipher(keys, fromInitiator, new SeededRandom(0));
        var status = IkeMessage.TryDecode(bytes, cipher, out var m, out string error);
        Assert.True(status == IkeDecodeStatus.Success, $"message {index + 1}: {status} {error}");
        return m!;
    }

    private void AssertChildKeys(string section, ChildSaKeys keys)
    {
        Assert.Equal(_run.Text(section, "encr_i"), Hex.Format(keys.EncryptionInitiatorToResponder));
        Assert.Equal(_run.Text(section, "integ_i"), Hex.Format(keys.IntegrityInitiatorToResponder));
        Assert.Equal(_run.Text(section, "encr_r"), Hex.Format(keys.EncryptionResponderToInitiator));
        Assert.Equal(_run.Text(section, "integ_r"), Hex.Format(keys.IntegrityResponderToInitiator));
    }

    [Fact]
    public void Ike_sa_keys_match_with_an_hmac_prf()
    {
        Assert.False(_suite.FixedKeyPrf);
        Assert.Equal(_run.Text("ike1", "skeyseed"), Hex.Format(IkeKeyDerivation.ComputeSkeyseed(_suite.Prf, false, _ni, _nr, _run.Bytes("ike1", "shared_secret"))));
        Assert.Equal(_run.Text("ike1", "sk_d"), Hex.Format(_keys.SkD));
        Assert.Equal(_run.Text("ike1", "sk_ei"), Hex.Format(_keys.SkEi));
        Assert.Equal(_run.Text("ike1", "sk_pr"), Hex.Format(_keys.SkPr));
    }

    [Fact]
    public void Child_sa_from_ike_auth_uses_the_ike_sa_init_nonces_without_pfs()
    {
        // §2.17: KEYMAT = prf+(SK_d, Ni | Nr) — strongSwan's logged prf+ seed is exactly Ni | Nr.
        Assert.Equal(_run.Text("child1", "seed"), Hex.Format([.. _ni, .. _nr]));
        using var keys = IkeKeyDerivation.DeriveChildSaKeys(_suite.Prf, _keys.SkD, default, _ni, _nr, 16, 32);
        AssertChildKeys("child1", keys);
    }

    [Fact]
    public void Child_sa_rekey_with_pfs_uses_the_new_dh_secret_and_nonces()
    {
        var request = Decrypt(4, _keys);
        var response = Decrypt(5, _keys);
        Assert.Equal(ExchangeType.CreateChildSa, request.ExchangeType);
        Assert.NotNull(request.GetNotify(NotifyType.RekeySa));
        Assert.Equal(SecurityProtocol.Esp, Assert.Single(response.Get<SecurityAssociationPayload>()!.Proposals).Protocol);
        Assert.NotNull(request.Get<KeyExchangePayload>());
        var ni = request.Get<NoncePayload>()!.Data.ToArray();
        var nr = response.Get<NoncePayload>()!.Data.ToArray();

        // §2.17 with PFS: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr).
        var dh = _run.Bytes("child2", "dh_secret");
        Assert.Equal(_run.Text("child2", "seed"), Hex.Format([.. dh, .. ni, .. nr]));
        using var keys = IkeKeyDerivation.DeriveChildSaKeys(_suite.Prf, _keys.SkD, dh, ni, nr, 16, 32);
        AssertChildKeys("child2", keys);
    }

    [Fact]
    public void Ike_sa_rekey_derives_the_new_sa_from_the_old_sk_d()
    {
        var request = Decrypt(8, _keys);
        var response = Decrypt(9, _keys);
        var offered = Assert.Single(request.Get<SecurityAssociationPayload>()!.Proposals);
        var chosen = Assert.Single(response.Get<SecurityAssociationPayload>()!.Proposals);
        Assert.Equal(SecurityProtocol.Ike, chosen.Protocol);
        ulong newSpiI = SecurityAssociationPayload.SpiToUInt64(offered.Spi.Span);
        ulong newSpiR = SecurityAssociationPayload.SpiToUInt64(chosen.Spi.Span);
        var ni = request.Get<NoncePayload>()!.Data.ToArray();
        var nr = response.Get<NoncePayload>()!.Data.ToArray();
        var gir = _run.Bytes("ike2", "shared_secret");

        // §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr); SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) with the new SPIs.
        Assert.Equal(_run.Text("ike2", "skeyseed"), Hex.Format(IkeKeyDerivation.ComputeRekeyedSkeyseed(_suite.Prf, _keys.SkD, gir, ni, nr)));
        Assert.True(IkeCipherSuite.TryCreate(chosen, out var newSuite, out string error), error);
        using var keys = newSuite!.DeriveRekeyedKeys(_suite.Prf, _keys.SkD, gir, ni, nr, newSpiI, newSpiR);
        foreach (var (name, value) in new[] { ("sk_d", keys.SkD), ("sk_ai", keys.SkAi), ("sk_ar", keys.SkAr), ("sk_ei", keys.SkEi), ("sk_er", keys.SkEr), ("sk_pi", keys.SkPi), ("sk_pr", keys.SkPr) })
            Assert.Equal(_run.Text("ike2", name), Hex.Format(value));
    }

    [Fact]
    public void Every_message_of_the_recording_decrypts_and_reencodes()
    {
        for (int i = 0; i < _run.Messages.Count; i++)
        {
            Assert.Equal(_run.Messages[i], Plain(_run.Messages[i]).Encode());
            if (i >= 2) Assert.True(Decrypt(i, _keys).WasEncrypted);
        }
        var deleteIke = Decrypt(10, _keys);
        Assert.Equal(SecurityProtocol.Ike, Assert.IsType<DeletePayload>(Assert.Single(deleteIke.Payloads)).Protocol);
    }
}
