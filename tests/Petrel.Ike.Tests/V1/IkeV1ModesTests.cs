using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// IKEv1 Phase 1 beyond Main Mode with PSK, between two engines: Main Mode with RSA and ECDSA certificates (CERTREQ,
/// CERT, SIG; chain checked as IKEv2 checks it), Aggressive Mode with PSK and certificates, refused unless
/// `aggressive = yes`, with the PSK exposure warning, losses and mismatches. Both data planes must hold matching keys.
/// </summary>
public class IkeV1ModesTests
{
    private const byte MainMode = 2, AggressiveMode = 4, QuickMode = 32;
    private const string LeftDn = "C=CH, O=Petrel Test, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Test, CN=right.petrel.test";

    private static EnginePki Pki => EnginePki.Shared;

    private static void AssertKeysMatch(ExchangeFixture f)
    {
        Assert.Equal(f.Left.Kernel.Outbound.Spi, f.Right.Kernel.Inbound.Spi);
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
        Assert.Equal(f.Right.Kernel.Outbound.EncryptionKey, f.Left.Kernel.Inbound.EncryptionKey);
        Assert.Equal(f.Right.Kernel.Outbound.IntegrityKey, f.Left.Kernel.Inbound.IntegrityKey);
    }

    /// <summary>Both sides authenticate with certificates from the shared test root; left's may come from another CA.</summary>
    private static ExchangeFixture Certificates(KeyKind kind, int bits, bool aggressive = false, bool leftByOtherCa = false, string? rightRemoteId = null)
    {
        var leftKey = Pki.Key(kind, bits, 1);
        var rightKey = Pki.Key(kind, bits, 2);
        X509Certificate leftCert = Pki.Issue(leftKey, LeftDn, ["left.petrel.test"], byOtherCa: leftByOtherCa);
        X509Certificate rightCert = Pki.Issue(rightKey, RightDn, ["right.petrel.test"]);
        var f = new ExchangeFixture();
        var left = V1Fixture.Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, LeftDn, RightDn, "aes128-sha256-modp2048", "aes128-sha256",
            ["10.1.0.0/24"], ["10.2.0.0/24"], aggressive: aggressive, auth: "pubkey");
        var right = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, RightDn, rightRemoteId ?? LeftDn, "aes128-sha256-modp2048", "aes128-sha256",
            ["10.2.0.0/24"], ["10.1.0.0/24"], aggressive: aggressive, auth: "pubkey");
        f.Left.Engine.Load([left], [], Pki.Store(leftCert, leftKey, [Pki.Root, Pki.OtherRoot]));
        f.Right.Engine.Load([right], [], Pki.Store(rightCert, rightKey, [Pki.Root]));
        return f;
    }

    [Theory]
    [InlineData(KeyKind.Rsa, 2048, "RSA signature", false)]
    [InlineData(KeyKind.Ecdsa, 256, "ECDSA-256 signature", false)]
    [InlineData(KeyKind.Ecdsa, 384, "ECDSA-384 signature", false)]
    [InlineData(KeyKind.Rsa, 2048, "RSA signature", true)]
    [InlineData(KeyKind.Ecdsa, 256, "ECDSA-256 signature", true)]
    public void Certificates_authenticate_phase1_in_main_and_aggressive_mode(KeyKind kind, int bits, string method, bool aggressive)
    {
        var f = Certificates(kind, bits, aggressive);
        var result = f.Initiate();
        Assert.True(result?.Success == true, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        // Messages, not datagrams: a message with a certificate beyond fragment_size (1280) travels in IKE fragments
        // (payload 132), which count once, by the fragment flagged last.
        Assert.Equal(aggressive ? 3 : 6, f.Network.Delivered.Count(d => d.ExchangeType == (aggressive ? AggressiveMode : MainMode)
            && (d.Data[16] != 132 || (d.Data[35] & 1) == 1)));
        Assert.Equal(0, f.Network.Delivered.Count(d => d.ExchangeType == (aggressive ? MainMode : AggressiveMode)));
        Assert.Equal(3, f.Network.Delivered.Count(d => d.ExchangeType == QuickMode));
        Assert.Equal(RightDn, f.LeftSa.RemoteId);
        Assert.Equal(LeftDn, f.RightSa.RemoteId);
        Assert.Contains($"authentication of '{LeftDn}' with {method} successful", f.Right.Log.All);
        Assert.Contains($"authentication of '{RightDn}' with {method} successful", f.Left.Log.All);
        Assert.Equal("INSTALLED", Assert.Single(f.RightSa.Children).State);
        AssertKeysMatch(f);
        // The identity goes in the clear only in Aggressive Mode: the DN is in a plaintext message then, never in Main Mode.
        var dn = System.Text.Encoding.ASCII.GetBytes("left.petrel.test");
        bool plain = f.Network.Delivered.Any(d => d.Data.AsSpan().IndexOf(dn) >= 0);
        Assert.Equal(aggressive, plain);
    }

    [Fact]
    public void A_certificate_from_an_untrusted_ca_fails_with_the_reason()
    {
        var f = Certificates(KeyKind.Ecdsa, 256, leftByOtherCa: true);
        var result = f.Initiate();
        f.Advance(TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(1));
        Assert.False(result?.Success ?? false);
        Assert.Contains("Main Mode failed", f.Right.Log.All);
        Assert.Contains("Other CA", f.Right.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Fact]
    public void A_certificate_without_the_configured_remote_id_fails()
    {
        var f = Certificates(KeyKind.Ecdsa, 256, rightRemoteId: "C=CH, O=Petrel Test, CN=someone.else");
        f.Initiate();
        f.Advance(TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(1));
        Assert.Contains("someone.else", f.Right.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Fact]
    public void Aggressive_mode_with_psk_works_when_both_allow_it_and_warns_about_the_exposed_hash()
    {
        var f = V1Fixture.Create(leftAggressive: true, rightAggressive: true);
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(3, f.Network.Delivered.Count(d => d.ExchangeType == AggressiveMode));
        Assert.Equal(0, f.Network.Delivered.Count(d => d.ExchangeType == MainMode));
        Assert.Equal("right", f.LeftSa.RemoteId);
        Assert.Equal("left", f.RightSa.RemoteId);
        Assert.Contains("Aggressive Mode with a pre-shared key", f.Left.Log.All);
        Assert.Contains("Aggressive Mode with a pre-shared key", f.Right.Log.All);
        Assert.Contains("authentication of 'left' with pre-shared key successful", f.Right.Log.All);
        // Message 3 is encrypted (flags bit 0), messages 1 and 2 are not.
        var am = f.Network.Delivered.Where(d => d.ExchangeType == AggressiveMode).ToList();
        Assert.Equal([0, 0, 1], am.Select(d => d.Data[19] & 1));
        AssertKeysMatch(f);
    }

    [Fact]
    public void Aggressive_mode_is_refused_by_a_responder_without_aggressive_yes()
    {
        var f = V1Fixture.Create(leftAggressive: true, rightAggressive: false);
        var result = f.Initiate();
        Assert.False(result!.Success);
        Assert.Contains("NO_PROPOSAL_CHOSEN", result.Message);
        Assert.Contains("does not allow Aggressive Mode (aggressive = no)", f.Right.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Fact]
    public void Aggressive_mode_psk_mismatch_fails_at_the_initiator_with_the_reason()
    {
        var f = V1Fixture.Create(leftAggressive: true, rightAggressive: true, rightPsk: "another-psk");
        var result = f.Initiate();
        f.Advance(TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(1));
        Assert.False(result!.Success);
        Assert.Contains("HASH_R of 'right' does not verify: the pre-shared keys differ", f.Left.Log.All);
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Theory]
    [InlineData(0)] // message 1
    [InlineData(1)] // message 2
    [InlineData(2)] // message 3: the responder retransmits message 2, the initiator answers from its cache
    public void Aggressive_mode_survives_a_lost_message(int index)
    {
        var f = V1Fixture.Create(leftAggressive: true, rightAggressive: true);
        int seen = 0;
        f.Network.Lose(d => d.ExchangeType == AggressiveMode && seen++ == index);
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.True(result?.Success, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        Assert.Equal("INSTALLED", Assert.Single(f.RightSa.Children).State);
        AssertKeysMatch(f);
    }

    [Fact]
    public void Aggressive_mode_with_encap_floats_message_3_to_4500()
    {
        var f = V1Fixture.Create(leftAggressive: true, rightAggressive: true, encap: true);
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message + "\n" + f.Right.Log.All);
        var am = f.Network.Delivered.Where(d => d.ExchangeType == AggressiveMode).ToList();
        Assert.Equal([500, 500, 4500], am.Select(d => d.Destination.Port));
        Assert.True(f.RightSa.NatRemote);
        Assert.True(f.Right.Kernel.Outbound.UdpEncapsulation);
        AssertKeysMatch(f);
    }
}
