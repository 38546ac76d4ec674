using Petrel.DataPlane.Kernel;

namespace Petrel.Ike.Tests.Ike;

public class EstablishTests
{
    [Theory]
    [InlineData("aes128-sha256-modp2048", "aes128-sha256", "AES_CBC_128")]
    [InlineData("aes256gcm16-prfsha384-ecp384", "aes256gcm16", "AES_GCM_16_256")]
    [InlineData("chacha20poly1305-prfsha256-x25519", "chacha20poly1305", "CHACHA20_POLY1305")]
    public void Initiator_and_responder_establish_and_install_matching_child_sas(string ike, string esp, string encrName)
    {
        var f = ExchangeFixture.Create(ike, esp, leftTs: ["10.1.0.0/24"], rightTs: ["10.2.0.0/24"]);

        var result = f.Initiate();

        Assert.NotNull(result);
        Assert.True(result!.Success, result.Message);
        var left = f.LeftSa;
        var right = f.RightSa;
        Assert.Equal("ESTABLISHED", left.State);
        Assert.Equal("ESTABLISHED", right.State);
        Assert.True(left.Initiator);
        Assert.False(right.Initiator);
        Assert.Equal(left.InitiatorSpi, right.InitiatorSpi);
        Assert.Equal(left.ResponderSpi, right.ResponderSpi);
        Assert.Equal(encrName, left.Encr);
        Assert.Equal("right", left.RemoteId);
        Assert.Equal("left", right.RemoteId);

        var lc = Assert.Single(left.Children);
        var rc = Assert.Single(right.Children);
        Assert.Equal("INSTALLED", lc.State);
        Assert.Equal(lc.SpiOut, rc.SpiIn);
        Assert.Equal(lc.SpiIn, rc.SpiOut);
        Assert.Equal(["10.1.0.0/24"], lc.LocalTs);
        Assert.Equal(["10.2.0.0/24"], lc.RemoteTs);
        Assert.Equal(["10.2.0.0/24"], rc.LocalTs);

        // The initiator's outbound keys are the responder's inbound keys and vice versa.
        var lOut = f.Left.Kernel.Outbound;
        var rIn = f.Right.Kernel.Inbound;
        Assert.Equal(lOut.Spi, rIn.Spi);
        Assert.Equal(lOut.EncryptionKey, rIn.EncryptionKey);
        Assert.Equal(lOut.IntegrityKey, rIn.IntegrityKey);
        Assert.Equal(f.Left.Kernel.Inbound.EncryptionKey, f.Right.Kernel.Outbound.EncryptionKey);
        Assert.NotEqual(lOut.EncryptionKey, f.Left.Kernel.Inbound.EncryptionKey);
        Assert.Equal(lOut.Encryption, rIn.Encryption);
        Assert.False(lOut.UdpEncapsulation);
        Assert.Equal(lOut.ReqId, Assert.Single(f.Left.Kernel.Policies.Values).ReqId);
        Assert.Equal(2, f.Right.Kernel.Sas.Count);

        // Inbound SAs go in before outbound ones, and the policy last.
        Assert.Equal(["install Inbound", "install Outbound", "policy"], f.Left.Kernel.Log.Select(l => string.Join(' ', l.Split(' ').Take(2)).Replace("policy 1", "policy")).ToList());
    }

    [Fact]
    public void Aead_child_sa_has_no_integrity_and_cbc_child_sa_has_hmac()
    {
        var f = ExchangeFixture.Create(esp: "aes256gcm16");
        Assert.True(f.Initiate()!.Success);
        Assert.Null(f.Left.Kernel.Outbound.Integrity);
        Assert.Equal(36, f.Left.Kernel.Outbound.EncryptionKey.Length);

        var g = ExchangeFixture.Create(esp: "aes128-sha256");
        Assert.True(g.Initiate()!.Success);
        Assert.Equal(16, g.Left.Kernel.Outbound.EncryptionKey.Length);
        Assert.Equal(32, g.Left.Kernel.Outbound.IntegrityKey.Length);
    }

    [Fact]
    public void Responder_narrows_traffic_selectors_to_its_configuration()
    {
        var f = ExchangeFixture.Create(leftTs: ["10.1.0.0/16"], rightTs: ["10.0.0.0/8"],
            rightLocalTs: ["10.2.0.0/24"], rightRemoteTs: ["10.1.5.0/24"]);

        Assert.True(f.Initiate()!.Success);

        var lc = Assert.Single(f.LeftSa.Children);
        Assert.Equal(["10.1.5.0/24"], lc.LocalTs);
        Assert.Equal(["10.2.0.0/24"], lc.RemoteTs);
        var rc = Assert.Single(f.RightSa.Children);
        Assert.Equal(["10.2.0.0/24"], rc.LocalTs);
        Assert.Equal(["10.1.5.0/24"], rc.RemoteTs);
        var policy = Assert.Single(f.Left.Kernel.Policies.Values);
        Assert.Equal("10.1.5.0/24", Assert.Single(policy.LocalTs).ToString());
    }

    [Fact]
    public void Dynamic_selectors_are_the_ike_addresses()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        var lc = Assert.Single(f.LeftSa.Children);
        Assert.Equal(["198.51.100.1/32"], lc.LocalTs);
        Assert.Equal(["198.51.100.2/32"], lc.RemoteTs);
    }

    [Fact]
    public void Disjoint_selectors_fail_the_child_with_ts_unacceptable_but_keep_the_ike_sa()
    {
        var f = ExchangeFixture.Create(leftTs: ["10.1.0.0/24"], rightTs: ["10.2.0.0/24"],
            rightLocalTs: ["10.9.0.0/24"], rightRemoteTs: ["10.1.0.0/24"]);

        var result = f.Initiate();

        Assert.False(result!.Success);
        Assert.Contains("TS_UNACCEPTABLE", result.Message);
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Empty(f.LeftSa.Children);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Contains("peer proposed TSi 10.1.0.0/24 TSr 10.2.0.0/24", f.Right.Log.All);
    }

    [Fact]
    public void Ike_proposal_mismatch_is_no_proposal_chosen_naming_what_the_peer_offered()
    {
        var f = ExchangeFixture.Create(ike: "aes256-sha256-modp3072", rightIke: "aes128gcm16-prfsha256-ecp256");

        var result = f.Initiate();

        Assert.False(result!.Success);
        Assert.Contains("NO_PROPOSAL_CHOSEN", result.Message);
        Assert.Contains("AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_3072", f.Right.Log.All);
        Assert.Contains("we accept", f.Right.Log.All);
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Fact]
    public void Esp_proposal_mismatch_is_no_proposal_chosen_for_the_child()
    {
        var f = ExchangeFixture.Create(esp: "aes128-sha256", rightEsp: "aes256gcm16");

        var result = f.Initiate();

        Assert.False(result!.Success);
        Assert.Contains("NO_PROPOSAL_CHOSEN", result.Message);
        Assert.Contains("peer offered AES_CBC_128/HMAC_SHA2_256_128", f.Right.Log.All);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Fact]
    public void Psk_mismatch_fails_on_both_sides_with_authentication_failed()
    {
        var f = ExchangeFixture.Create(leftPsk: "one secret", rightPsk: "another secret");

        var result = f.Initiate();

        Assert.False(result!.Success);
        Assert.Contains("AUTHENTICATION_FAILED", result.Message);
        Assert.Contains("authentication of 'left' with pre-shared key failed", f.Right.Log.All);
        Assert.DoesNotContain("secret", f.Right.Log.All.Replace("shared key", "").Replace("the secret for", ""));
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Fact]
    public void Remote_identity_mismatch_is_refused()
    {
        var f = new ExchangeFixture();
        var left = EnginePeer.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "someone-else", "aes128-sha256-modp2048", "aes128gcm16");
        var right = EnginePeer.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", "aes128-sha256-modp2048", "aes128gcm16");
        f.Left.Engine.Load([left], [EnginePeer.Secret("k", [])]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("k", [])]);

        var result = f.Initiate();

        // We send IDr "someone-else": the responder has no connection for it.
        Assert.False(result!.Success);
        Assert.Contains("AUTHENTICATION_FAILED", result.Message);
        Assert.Contains("no connection matches peer identity 'left' asking for 'someone-else'", f.Right.Log.All);
    }

    [Fact]
    public void Transport_mode_is_negotiated_when_both_want_it()
    {
        var f = new ExchangeFixture();
        var left = EnginePeer.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-modp2048", "aes128gcm16", mode: "transport");
        var right = EnginePeer.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", "aes128-sha256-modp2048", "aes128gcm16", mode: "transport");
        f.Left.Engine.Load([left], [EnginePeer.Secret("k")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("k")]);

        Assert.True(f.Initiate()!.Success);
        Assert.Equal(IpsecMode.Transport, f.Left.Kernel.Outbound.Mode);
        Assert.Equal(IpsecMode.Transport, f.Right.Kernel.Inbound.Mode);
        Assert.Equal("TRANSPORT", Assert.Single(f.LeftSa.Children).Mode);
    }
}
