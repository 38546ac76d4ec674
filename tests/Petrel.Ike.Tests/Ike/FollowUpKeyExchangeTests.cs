using Petrel.DataPlane.Kernel;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// RFC 9370 §2.2.4 additional key exchanges after CREATE_CHILD_SA: IKE_FOLLOWUP_KE exchanges tied by the
/// ADDITIONAL_KEY_EXCHANGE link, for a CHILD_SA rekey with PFS and for an IKE SA rekey; KEYMAT and SKEYSEED take every
/// secret in order, so a changed ML-KEM ciphertext leaves the two ends with different keys.
/// </summary>
public class FollowUpKeyExchangeTests
{
    private const byte CreateChildSa = 36, FollowUp = 44;
    private static readonly RekeyFixture.Lifetimes Manual = new() { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero };
    private static readonly IkeEngineOptions Whole = new() { FragmentSize = 9000, DeleteRekeyedDelay = TimeSpan.Zero };

    private static ExchangeFixture Up(string esp, string ike = "aes256-sha256-x25519")
    {
        var f = RekeyFixture.Create(Manual with { Esp = esp }, ike: ike, options: Whole);
        RekeyFixture.Up(f);
        return f;
    }

    [Theory]
    [InlineData("aes256gcm16-x25519-ke1_mlkem768", 1, new[] { "CURVE_25519", "KE1_ML_KEM_768" })]
    [InlineData("aes128gcm16-ecp256-ke1_mlkem512-ke2_x25519", 2, new[] { "ECP_256", "KE1_ML_KEM_512", "KE2_CURVE_25519" })]
    [InlineData("aes128-sha256-modp2048-ke1_ecp384", 1, new[] { "MODP_2048", "KE1_ECP_384" })]
    public void Child_rekey_with_pfs_runs_one_followup_per_additional_key_exchange(string esp, int followUps, string[] performed)
    {
        var f = Up(esp);
        f.Network.Delivered.Clear();

        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();

        RekeyFixture.AssertOnePair(f);
        Assert.Equal(followUps, f.Network.Delivered.Count(d => d.ExchangeType == FollowUp && !d.IsResponse));
        Assert.Equal(1, f.Network.Delivered.Count(d => d.ExchangeType == CreateChildSa && !d.IsResponse));
        Assert.Equal(performed, Assert.Single(f.LeftSa.Children).KeyExchanges);
        Assert.Equal(performed, Assert.Single(f.RightSa.Children).KeyExchanges);
        Assert.Contains("rekeyed by the peer", f.Right.Log.All);
    }

    [Fact]
    public void A_flipped_byte_of_the_mlkem_ciphertext_in_ike_followup_ke_gives_the_initiator_other_child_keys()
    {
        var f = Up("aes256gcm16-x25519-ke1_mlkem768");
        int flipped = 0;
        f.Network.Intercept(d => d.ExchangeType == FollowUp && d.IsResponse, d =>
        {
            var sa = f.Left.Engine.FindSa(RekeyFixture.IkeId(f.Left))!;
            using var cipher = sa.Suite!.CreateCipher(sa.Keys!, false, new DeterministicRandom(7));
            Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(d.Data, cipher, out var m, out _));
            var ke = m!.Get<KeyExchangePayload>()!;
            var data = ke.Data.ToArray();
            data[17] ^= 0x80;
            m.Payloads[m.Payloads.IndexOf(ke)] = new KeyExchangePayload(ke.Group, data);
            d.Data = m.Encode(cipher);
            flipped++;
            return true;
        });

        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();

        Assert.Equal(1, flipped);
        // Both ends installed the new pair (nothing tells them apart on the wire), but with the ML-KEM secret in KEYMAT
        // the initiator's keys no longer match the responder's: traffic on the new SA would fail its ICV.
        var lc = Assert.Single(f.LeftSa.Children);
        uint spiOut = Convert.ToUInt32(lc.SpiOut, 16), spiIn = Convert.ToUInt32(lc.SpiIn, 16);
        Assert.NotEqual(f.Left.Kernel.Sas[(spiOut, SaDirection.Outbound)].EncryptionKey, f.Right.Kernel.Sas[(spiOut, SaDirection.Inbound)].EncryptionKey);
        Assert.NotEqual(f.Left.Kernel.Sas[(spiIn, SaDirection.Inbound)].EncryptionKey, f.Right.Kernel.Sas[(spiIn, SaDirection.Outbound)].EncryptionKey);
    }

    [Fact]
    public void Ike_sa_rekey_with_an_additional_key_exchange_keys_the_new_sa_after_the_followup()
    {
        var f = Up("aes128gcm16", ike: "aes256-sha256-x25519-ke1_mlkem768");
        var oldSpi = f.LeftSa.InitiatorSpi;
        f.Network.Delivered.Clear();

        Assert.True(f.Left.Engine.RekeyIke(RekeyFixture.IkeId(f.Left)));
        f.Network.Run();

        RekeyFixture.AssertOnePair(f);
        Assert.NotEqual(oldSpi, f.LeftSa.InitiatorSpi);
        Assert.Equal(1, f.Network.Delivered.Count(d => d.ExchangeType == FollowUp && !d.IsResponse));
        Assert.Equal(["CURVE_25519", "KE1_ML_KEM_768"], f.LeftSa.KeyExchanges);
        Assert.Equal(["CURVE_25519", "KE1_ML_KEM_768"], f.RightSa.KeyExchanges);
        var l = f.Left.Engine.FindSa(f.LeftSa.UniqueId)!.Keys!;
        var r = f.Right.Engine.FindSa(f.RightSa.UniqueId)!.Keys!;
        Assert.Equal(l.SkD, r.SkD);
        Assert.Equal(l.SkEr, r.SkEr);

        // The new IKE SA works: a CHILD_SA rekey over it succeeds.
        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();
        RekeyFixture.AssertOnePair(f);
    }

    [Fact]
    public void A_followup_with_a_wrong_link_gets_state_not_found()
    {
        var f = Up("aes256gcm16-x25519-ke1_mlkem768");
        f.Network.Intercept(d => d.ExchangeType == FollowUp && !d.IsResponse, d =>
        {
            var sa = f.Left.Engine.FindSa(RekeyFixture.IkeId(f.Left))!;
            using var cipher = sa.Suite!.CreateCipher(sa.Keys!, true, new DeterministicRandom(8));
            Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(d.Data, cipher, out var m, out _));
            var link = m!.GetNotify(NotifyType.AdditionalKeyExchange)!;
            var data = link.Data.ToArray();
            data[0] ^= 1;
            m.Payloads[m.Payloads.IndexOf(link)] = new NotifyPayload(NotifyType.AdditionalKeyExchange, data);
            d.Data = m.Encode(cipher);
            return true;
        });

        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();

        Assert.Contains("without a matching ADDITIONAL_KEY_EXCHANGE link, sending STATE_NOT_FOUND", f.Right.Log.All);
        Assert.Contains("STATE_NOT_FOUND", f.Left.Log.All);
        // The old CHILD_SA keeps working.
        Assert.Equal("INSTALLED", Assert.Single(f.LeftSa.Children).State);
    }
}
