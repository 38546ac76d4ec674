using Petrel.DataPlane.Kernel;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// IKEv1 between two engines on the in-memory network (virtual clock): Main Mode with PSK and Quick Mode, both
/// roles, with loss, mismatches, NAT-T, deletes, DPD and rekeys. Both data planes must hold matching keys.
/// </summary>
public class IkeV1ExchangeTests
{
    private const byte MainMode = 2, QuickMode = 32, Informational = 5;

    private static void AssertKeysMatch(ExchangeFixture f)
    {
        var lo = f.Left.Kernel.Outbound;
        var ri = f.Right.Kernel.Inbound;
        var ro = f.Right.Kernel.Outbound;
        var li = f.Left.Kernel.Inbound;
        Assert.Equal(lo.Spi, ri.Spi);
        Assert.Equal(ro.Spi, li.Spi);
        Assert.Equal(lo.EncryptionKey, ri.EncryptionKey);
        Assert.Equal(lo.IntegrityKey, ri.IntegrityKey);
        Assert.Equal(ro.EncryptionKey, li.EncryptionKey);
        Assert.Equal(ro.IntegrityKey, li.IntegrityKey);
        Assert.NotEqual(lo.EncryptionKey, ro.EncryptionKey);
    }

    [Fact]
    public void Main_mode_and_quick_mode_with_psk_install_matching_esp_sas()
    {
        var f = V1Fixture.Create();
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(6, f.Network.Delivered.Count(d => d.ExchangeType == MainMode));
        Assert.Equal(3, f.Network.Delivered.Count(d => d.ExchangeType == QuickMode));
        foreach (var sa in new[] { f.LeftSa, f.RightSa })
        {
            Assert.Equal(1, sa.Version);
            Assert.Equal("ESTABLISHED", sa.State);
            Assert.Equal("AES_CBC_128", sa.Encr);
            Assert.Equal("HMAC_SHA2_256_128", sa.Integ);
            Assert.Equal("MODP_2048", sa.Dh);
            var child = Assert.Single(sa.Children);
            Assert.Equal("INSTALLED", child.State);
            Assert.Equal("AES_CBC_128", child.Encr);
            Assert.Equal("HMAC_SHA2_256_128", child.Integ);
        }
        Assert.Equal("right", f.LeftSa.RemoteId);
        Assert.Equal("left", f.RightSa.RemoteId);
        Assert.Equal(["10.1.0.0/24"], f.LeftSa.Children[0].LocalTs);
        Assert.Equal(["10.2.0.0/24"], f.LeftSa.Children[0].RemoteTs);
        Assert.Equal(["10.2.0.0/24"], f.RightSa.Children[0].LocalTs);
        AssertKeysMatch(f);
        Assert.Equal(16, f.Left.Kernel.Outbound.EncryptionKey.Length);
        Assert.Equal(32, f.Left.Kernel.Outbound.IntegrityKey.Length);
        Assert.Equal(IpsecMode.Tunnel, f.Left.Kernel.Outbound.Mode);
        Assert.False(f.Left.Kernel.Outbound.UdpEncapsulation);
        Assert.All(f.Network.Delivered, d => Assert.Equal(500, d.Destination.Port));
    }

    [Theory]
    [InlineData("3des-md5-modp1024", "3des-sha1")]
    [InlineData("aes256-sha1-modp1536", "aes256-sha512")]
    [InlineData("aes192-sha384-ecp256", "aes128gcm16")]
    [InlineData("aes256-sha512-ecp384", "aes256gcm16-modp2048")]
    public void Algorithms_needing_key_stretching_aead_and_pfs_agree_on_keys(string ike, string esp)
    {
        var f = V1Fixture.Create(ike: ike, esp: esp);
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message + "\n" + f.Right.Log.All);
        AssertKeysMatch(f);
        if (esp.Contains("modp2048")) Assert.Equal("MODP_2048", f.LeftSa.Children[0].Dh);
    }

    [Fact]
    public void Responder_picks_the_second_proposal_when_the_first_is_not_acceptable_with_pfs()
    {
        var f = V1Fixture.Create(esp: "aes256-sha512-modp2048,aes128-sha256-modp2048,aes128-sha256-modp3072", rightEsp: "aes128-sha256-modp2048");
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message + "\n" + f.Right.Log.All);
        var child = f.RightSa.Children[0];
        Assert.Equal("AES_CBC_128", child.Encr);
        Assert.Equal("MODP_2048", child.Dh);
        var qm1 = f.Network.Delivered.First(d => d.ExchangeType == QuickMode);
        Assert.InRange(qm1.Data.Length, 28 + 256, 560); // one 2048-bit KE (a 3072-bit one would add 128 bytes): one KE per Quick Mode
        AssertKeysMatch(f);
    }

    [Fact]
    public void Psk_mismatch_fails_on_both_sides_with_a_reason()
    {
        var f = V1Fixture.Create(rightPsk: "another-psk");
        var result = f.Initiate();
        f.Advance(TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(1));
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Contains("pre-shared keys", f.Right.Log.All);
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Fact]
    public void Phase1_proposal_mismatch_names_what_each_side_offered()
    {
        var f = V1Fixture.Create(ike: "aes128-sha256-modp2048", rightIke: "aes256-sha512-ecp384");
        var result = f.Initiate();
        Assert.False(result!.Success);
        Assert.Contains("NO_PROPOSAL_CHOSEN", result.Message);
        Assert.Contains("AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048", result.Message);
        Assert.Contains("peer offered IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048", f.Right.Log.All);
        Assert.Contains("we accept IKE:AES_CBC_256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/ECP_384", f.Right.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Fact]
    public void Quick_mode_proposal_mismatch_names_both_offers_and_keeps_phase1()
    {
        var f = V1Fixture.Create(esp: "aes128-sha256", rightEsp: "aes256gcm16");
        var result = f.Initiate();
        Assert.False(result!.Success);
        Assert.Contains("NO_PROPOSAL_CHOSEN", result.Message);
        Assert.Contains("ESP:AES_CBC_128/HMAC_SHA2_256_128", result.Message);
        Assert.Contains("we accept ESP:AES_GCM_16_256", f.Right.Log.All);
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Empty(f.LeftSa.Children);
    }

    [Theory]
    [InlineData(MainMode, 0)] // message 1
    [InlineData(MainMode, 2)] // message 3
    [InlineData(MainMode, 3)] // message 4 (the responder answers the repeat from its cache)
    [InlineData(MainMode, 5)] // message 6
    [InlineData(QuickMode, 0)]
    [InlineData(QuickMode, 1)]
    [InlineData(QuickMode, 2)] // message 3: the responder retransmits message 2, the initiator answers from its cache
    public void A_lost_message_is_retransmitted_and_the_exchange_completes(byte exchange, int index)
    {
        var f = V1Fixture.Create();
        int seen = 0;
        f.Network.Lose(d => d.ExchangeType == exchange && seen++ == index);
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.True(result?.Success, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal("INSTALLED", Assert.Single(f.RightSa.Children).State);
        AssertKeysMatch(f);
    }

    [Fact]
    public void Encap_yes_fakes_nat_detection_floats_to_4500_and_encapsulates_esp()
    {
        var f = V1Fixture.Create(encap: true);
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message);
        var mm = f.Network.Delivered.Where(d => d.ExchangeType == MainMode).ToList();
        Assert.All(mm.Take(4), d => Assert.Equal(500, d.Destination.Port));
        Assert.All(mm.Skip(4), d => Assert.Equal(4500, d.Destination.Port));
        Assert.True(f.Right.Kernel.Outbound.UdpEncapsulation);
        Assert.True(f.Left.Kernel.Outbound.UdpEncapsulation);
        Assert.Equal(4500, f.Right.Kernel.Outbound.Destination.Port);
        Assert.True(f.RightSa.NatRemote);
        Assert.True(f.LeftSa.NatLocal);
        Assert.True(f.RightSa.Children[0].Encap);
    }

    [Fact]
    public void Terminate_sends_deletes_and_the_peer_removes_everything()
    {
        var f = V1Fixture.Create();
        Assert.True(f.Initiate()!.Success);
        InitiateResult? down = null;
        f.Left.Engine.Terminate("site", null, r => down = r);
        f.Network.Run();
        Assert.True(down!.Success);
        Assert.Equal(2, f.Network.Delivered.Count(d => d.ExchangeType == Informational));
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Policies);
    }

    [Fact]
    public void Terminating_only_the_child_deletes_the_quick_mode_sa_and_keeps_phase1()
    {
        var f = V1Fixture.Create();
        Assert.True(f.Initiate()!.Success);
        f.Left.Engine.Terminate("site", "net", _ => { });
        f.Network.Run();
        Assert.Empty(f.RightSa.Children);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        // and a new Quick Mode under the same Phase 1
        Assert.True(f.Initiate()!.Success);
        Assert.Single(f.RightSa.Children);
        Assert.Equal(6, f.Network.Delivered.Count(d => d.ExchangeType == MainMode)); // no second Phase 1
        Assert.Equal(6, f.Network.Delivered.Count(d => d.ExchangeType == QuickMode));
    }

    [Fact]
    public void Dpd_keeps_a_live_peer_and_declares_a_silent_one_dead_after_dpd_timeout()
    {
        var f = V1Fixture.Create(dpdDelay: TimeSpan.FromSeconds(10), dpdTimeout: TimeSpan.FromSeconds(30));
        Assert.True(f.Initiate()!.Success);
        f.Advance(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
        Assert.True(f.Left.Engine.V1DpdSent >= 3);
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        var acks = f.Network.Delivered.Count(d => d.ExchangeType == Informational);
        Assert.True(acks >= 2 * 3, $"{acks} informational messages");

        f.Network.Lose(d => d.Source.Address.Equals(ExchangeFixture.RightAddress), int.MaxValue);
        f.Advance(TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(1));
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Contains("peer is dead", f.Left.Log.All);
    }

    [Fact]
    public void Quick_mode_rekey_is_make_before_break()
    {
        var f = V1Fixture.Create(childRekey: TimeSpan.FromSeconds(60));
        Assert.True(f.Initiate()!.Success);
        var first = f.Left.Kernel.Outbound.Spi;
        f.Advance(TimeSpan.FromSeconds(70), TimeSpan.FromSeconds(1));
        var child = Assert.Single(f.LeftSa.Children);
        Assert.NotEqual(first.ToString("x8"), child.SpiOut);
        Assert.Single(f.RightSa.Children);
        AssertKeysMatch(f);
        Assert.Single(f.Left.Kernel.Policies);
        Assert.Single(f.Right.Kernel.Policies);
        Assert.Contains("rekeying CHILD_SA", f.Left.Log.All);
    }

    [Fact]
    public void Quick_mode_rekey_switches_outbound_after_a_delay_and_old_inbound_lingers()
    {
        var f = V1Fixture.Create(childRekey: TimeSpan.FromSeconds(60), options: new IkeEngineOptions { DeleteRekeyedDelay = TimeSpan.FromSeconds(5) });
        Assert.True(f.Initiate()!.Success);
        uint oldOut = f.Left.Kernel.Outbound.Spi, oldIn = f.Left.Kernel.Inbound.Spi;
        // Step until the rekey's Quick Mode is over (left sent message 3): left has two inbound SAs, one outbound.
        int guard = 0;
        while (f.Left.Kernel.Sas.Keys.Count(k => k.Dir == Petrel.DataPlane.Kernel.SaDirection.Inbound) < 2 && guard++ < 200)
            f.Advance(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        Assert.True(2 == f.Left.Kernel.Sas.Keys.Count(k => k.Dir == Petrel.DataPlane.Kernel.SaDirection.Inbound), f.Left.Log.All);
        Assert.True(1 == f.Left.Kernel.Sas.Keys.Count(k => k.Dir == Petrel.DataPlane.Kernel.SaDirection.Outbound), f.Left.Log.All + f.Right.Log.All);
        Assert.Equal(oldOut, Assert.Single(f.Left.Kernel.Sas.Keys, k => k.Dir == Petrel.DataPlane.Kernel.SaDirection.Outbound).Spi);
        // The right (responder) already sends on the new SA; it still has the old inbound for left's packets.
        Assert.Contains(f.Right.Kernel.Sas.Keys, k => k.Spi == oldOut && k.Dir == Petrel.DataPlane.Kernel.SaDirection.Inbound);
        f.Advance(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500));
        Assert.True(1 == f.Left.Kernel.Sas.Keys.Count(k => k.Dir == Petrel.DataPlane.Kernel.SaDirection.Outbound), f.Left.Log.All);
        var newOut = Assert.Single(f.Left.Kernel.Sas.Keys, k => k.Dir == Petrel.DataPlane.Kernel.SaDirection.Outbound).Spi;
        Assert.NotEqual(oldOut, newOut);
        Assert.Single(f.LeftSa.Children);
        Assert.Single(f.RightSa.Children);
        // Left deleted the old SA; its old inbound lingers (delete_rekeyed_delay) for packets right sent before switching.
        Assert.Contains(f.Left.Kernel.Sas.Keys, k => k.Spi == oldIn && k.Dir == Petrel.DataPlane.Kernel.SaDirection.Inbound);
        Assert.Contains(f.Right.Kernel.Sas.Keys, k => k.Spi == oldOut && k.Dir == Petrel.DataPlane.Kernel.SaDirection.Inbound);
        f.Advance(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(f.Left.Kernel.Sas.Keys, k => k.Spi == oldIn);
        Assert.DoesNotContain(f.Right.Kernel.Sas.Keys, k => k.Spi == oldOut);
        AssertKeysMatch(f);
    }

    [Fact]
    public void Phase1_is_reauthenticated_before_it_expires_and_the_old_sa_goes()
    {
        var f = V1Fixture.Create(ikeRekey: TimeSpan.FromSeconds(100));
        Assert.True(f.Initiate()!.Success);
        uint oldId = f.LeftSa.UniqueId;
        f.Advance(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1));
        var sa = f.LeftSa;
        Assert.NotEqual(oldId, sa.UniqueId);
        Assert.Single(sa.Children);
        Assert.Single(f.RightSa.Children);
        AssertKeysMatch(f);
        Assert.Single(f.Left.Kernel.Policies);
    }

    [Fact]
    public void Version_0_responder_follows_an_ikev1_initiator()
    {
        var f = V1Fixture.Create(rightVersion: 0);
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message + f.Right.Log.All);
        Assert.Equal(1, f.RightSa.Version);
    }

    [Fact]
    public void Malformed_and_wrong_cookie_isakmp_messages_are_dropped_and_counted_and_the_sa_keeps_working()
    {
        var f = V1Fixture.Create();
        Assert.True(f.Initiate()!.Success);
        var mm1 = f.Network.Delivered.First(d => d.ExchangeType == MainMode).Data;
        var right = new System.Net.IPEndPoint(ExchangeFixture.RightAddress, 500);
        var left = new System.Net.IPEndPoint(ExchangeFixture.LeftAddress, 500);
        long before = f.Right.Engine.V1Dropped;
        var truncated = mm1[..40];
        var wrongCookie = mm1.ToArray();
        wrongCookie[8] ^= 1; // a responder cookie we never gave out
        var qm = f.Network.Delivered.First(d => d.ExchangeType == QuickMode).Data.ToArray();
        qm[8] ^= 0x55;
        var garbled = f.Network.Delivered.Last(d => d.ExchangeType == QuickMode).Data.ToArray();
        garbled[^1] ^= 0xFF;
        var badLength = mm1.ToArray();
        badLength[27] = 0xFF;
        foreach (var bad in new[] { truncated, wrongCookie, qm, garbled, badLength })
            f.Network.Inject(left, right, bad);
        f.Network.Run();
        Assert.True(f.Right.Engine.V1Dropped - before >= 4, $"dropped {f.Right.Engine.V1Dropped - before}");
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        // Phase 1 still works: a second Quick Mode.
        f.Left.Engine.Terminate("site", "net", _ => { });
        f.Network.Run();
        Assert.True(f.Initiate()!.Success);
        AssertKeysMatch(f);
    }
}
