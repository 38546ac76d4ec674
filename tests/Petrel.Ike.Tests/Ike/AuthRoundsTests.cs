using System.Net;
using System.Text;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Pools;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// Several authentication rounds (RFC 4739; swanctl.conf's local-1/local-2 on the client, remote-1/remote-2 on the
/// gateway) between two engines: left initiates and authenticates twice, right verifies both rounds. A certificate and
/// then EAP-MSCHAPv2, a PSK and then EAP-MD5, two non-EAP rounds, and the refusals: a failure in the second round, and a
/// client that stops after one round, each with its reason in the log. list-sas shows every round with its identity.
/// </summary>
public class AuthRoundsTests
{
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private const string GwDn = "C=CH, O=Petrel Test, CN=gw.petrel.test";
    private const string CarolDn = "C=CH, O=Petrel Test, CN=carol";
    private static EnginePki Pki => EnginePki.Shared;

    private static SharedSecret Secret(string kind, string secret, params string[] ids) => new() { Kind = kind, Ids = ids, Secret = Encoding.UTF8.GetBytes(secret) };

    private static AuthConfig Round(string section, string auth, string? id = null, string? eapId = null) => new() { Section = section, Auth = auth, Id = id, EapId = eapId };

    private static ConnectionConfig With(ConnectionConfig c, AuthConfig[] local, AuthConfig[] remote, string[]? pools = null, IPAddress[]? vips = null) => new()
    {
        Name = c.Name, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals, Children = c.Children,
        Local = local[0], Remote = remote[0], LocalRounds = local, RemoteRounds = remote, Pools = pools ?? [], Vips = vips ?? [],
    };

    /// <summary>Left (client "home") authenticates with <paramref name="client"/> rounds; right (gateway "rw") with one local round and <paramref name="server"/> remote rounds.</summary>
    private static ExchangeFixture Create(AuthConfig[] client, AuthConfig gatewayLocal, AuthConfig[] server, SharedSecret[] clientSecrets, SharedSecret[] serverSecrets,
        bool withPool = false)
    {
        var gwKey = Pki.Key(KeyKind.Ecdsa, 256, 11);
        var carolKey = Pki.Key(KeyKind.Ecdsa, 256, 12);
        var gwCert = Pki.Issue(gwKey, GwDn, ["gw.petrel.test"]);
        var carolCert = Pki.Issue(carolKey, CarolDn, ["carol"]);
        var f = new ExchangeFixture();
        var home = EnginePki.Connection("home", L, R, localTs: ["dynamic"], remoteTs: ["10.2.0.0/24"]);
        var clientRemote = Round("remote", gatewayLocal.Auth, gatewayLocal.Auth == "psk" ? "gw.petrel.test" : GwDn);
        home = With(home, client, [clientRemote], vips: withPool ? [IPAddress.Any] : null);
        var rw = EnginePki.Connection("rw", R, null, localTs: ["10.2.0.0/24"], remoteTs: ["dynamic"]);
        rw = With(rw, [gatewayLocal], server, pools: withPool ? ["rw"] : null);
        f.Left.Engine.Load([home], clientSecrets, Pki.Store(carolCert, carolKey, [Pki.Root]));
        f.Right.Engine.Load([rw], serverSecrets, Pki.Store(gwCert, gwKey, [Pki.Root]));
        if (withPool)
        {
            Assert.True(AddressRange.TryParse("10.3.0.0/24", out var range, out _));
            f.Right.Engine.Pools.Load([new AddressPoolConfig { Name = "rw", Addresses = range!, Dns = [IPAddress.Parse("10.3.0.53")] }]);
        }
        return f;
    }

    private static string Logs(ExchangeFixture f) => $"\n--- left\n{f.Left.Log.All}\n--- right\n{f.Right.Log.All}";

    private static void AssertUp(ExchangeFixture f)
    {
        var result = f.Initiate("home");
        Assert.True(result is { Success: true }, result?.Message + Logs(f));
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        var child = Assert.Single(f.LeftSa.Children);
        Assert.Equal("INSTALLED", child.State);
        Assert.Equal(child.SpiOut, Assert.Single(f.RightSa.Children).SpiIn);
        Assert.Equal(child.SpiIn, Assert.Single(f.RightSa.Children).SpiOut);
    }

    private static IReadOnlyList<AuthRoundInfo> Rounds(IkeSaInfo sa, bool local) => [.. sa.AuthRounds.Where(r => r.Local == local).OrderBy(r => r.Round)];

    [Fact]
    public void Certificate_then_eap_mschapv2_as_swanctl_writes_local_1_and_local_2()
    {
        var f = Create(
            client: [Round("local-1", "pubkey", CarolDn), Round("local-2", "eap-mschapv2", "carol-eap")],
            gatewayLocal: Round("local", "pubkey", GwDn),
            server: [Round("remote-1", "pubkey", CarolDn), Round("remote-2", "eap-mschapv2")],
            clientSecrets: [Secret("eap", "s3cret", "carol-eap")],
            serverSecrets: [Secret("eap", "s3cret", "carol-eap")]);
        AssertUp(f);

        var right = f.RightSa;
        // As swanctl --list-sas: the identity of the last round (round 2's IDi); every round's stays in AuthRounds.
        Assert.Equal("carol-eap", right.RemoteId);
        Assert.Equal("carol-eap", f.LeftSa.LocalId);
        Assert.Equal(GwDn, f.LeftSa.RemoteId);
        Assert.Equal("carol-eap", right.EapIdentity);
        var peerRounds = Rounds(right, local: false);
        Assert.Equal([(1, "pubkey", CarolDn, ""), (2, "eap-mschapv2", "carol-eap", "carol-eap")],
            peerRounds.Select(r => (r.Round, r.Auth, r.Identity, r.EapIdentity)));
        var ownRounds = Rounds(f.LeftSa, local: true);
        Assert.Equal([(1, "pubkey", CarolDn, ""), (2, "eap-mschapv2", "carol-eap", "carol-eap")],
            ownRounds.Select(r => (r.Round, r.Auth, r.Identity, r.EapIdentity)));
        Assert.Equal((1, GwDn), Rounds(f.LeftSa, local: false).Select(r => (r.Round, r.Identity)).Single());

        Assert.Contains("authentication round 1 of 2 of 'C=CH, O=Petrel Test, CN=carol' successful, round 2 follows (remote-2, auth = eap-mschapv2)", f.Right.Log.All);
        Assert.Contains("EAP-MSCHAPv2 authentication of 'carol-eap' successful, MSK established", f.Right.Log.All);
        Assert.Contains("authentication round 2 of 2 (remote-2, auth = eap-mschapv2) of 'carol-eap' successful", f.Right.Log.All);
        Assert.Contains("authentication round 2 of 2 (local-2, auth = eap-mschapv2) as 'carol-eap' successful", f.Left.Log.All);

        // An IKE SA rekey keeps what list-sas shows of the authentication, on both sides.
        uint before = f.LeftSa.UniqueId;
        Assert.True(f.Left.Engine.RekeyIke(before));
        f.Network.Run();
        Assert.NotEqual(before, f.LeftSa.UniqueId);
        Assert.Equal("carol-eap", f.RightSa.EapIdentity);
        Assert.Equal("carol-eap", f.LeftSa.EapIdentity);
        Assert.Equal(2, Rounds(f.RightSa, local: false).Count);
        Assert.Equal(2, Rounds(f.LeftSa, local: true).Count);
    }

    [Fact]
    public void Psk_then_eap_md5_with_an_eap_identity_asked_by_the_gateway()
    {
        var f = Create(
            client: [Round("local-1", "psk", "carol"), Round("local-2", "eap-md5", "carol", eapId: "carol@petrel.test")],
            gatewayLocal: Round("local", "psk", "gw.petrel.test"),
            server: [Round("remote-1", "psk", "carol"), Round("remote-2", "eap-md5", eapId: "%any")],
            clientSecrets: [Secret("ike", "gateway-psk", "carol", "gw.petrel.test"), Secret("eap", "md5-pass", "carol@petrel.test")],
            serverSecrets: [Secret("ike", "gateway-psk", "carol", "gw.petrel.test"), Secret("eap", "md5-pass", "carol@petrel.test")],
            withPool: true);
        AssertUp(f);

        var right = f.RightSa;
        Assert.Equal("carol", right.RemoteId);
        Assert.Equal("carol@petrel.test", right.EapIdentity);
        Assert.Equal([(1, "psk", "carol", ""), (2, "eap-md5", "carol", "carol@petrel.test")],
            Rounds(right, local: false).Select(r => (r.Round, r.Auth, r.Identity, r.EapIdentity)));
        Assert.Contains("EAP-MD5 authentication of 'carol@petrel.test' successful, no MSK established", f.Right.Log.All);
        // The virtual IP is answered with the last round, leased to the EAP identity.
        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
        Assert.Equal(["10.3.0.1"], right.RemoteVips);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(right.Children).RemoteTs);
        Assert.Contains("assigning virtual IP 10.3.0.1 to peer 'carol@petrel.test'", f.Right.Log.All);
    }

    [Fact]
    public void An_eap_client_with_one_round_gets_a_virtual_ip_listed_with_its_eap_identity()
    {
        var f = Create(
            client: [Round("local", "eap-mschapv2", "client.petrel.test", eapId: "carol")],
            gatewayLocal: Round("local", "pubkey", GwDn),
            server: [Round("remote", "eap-mschapv2", eapId: "%any")],
            clientSecrets: [Secret("eap", "s3cret", "carol")],
            serverSecrets: [Secret("eap", "s3cret", "carol")],
            withPool: true);
        AssertUp(f);
        var right = f.RightSa;
        Assert.Equal("client.petrel.test", right.RemoteId);
        Assert.Equal("carol", right.EapIdentity);
        Assert.Equal(["10.3.0.1"], right.RemoteVips);
        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
        Assert.Contains("assigning virtual IP 10.3.0.1 to peer 'carol'", f.Right.Log.All);
        Assert.Equal((1, "eap-mschapv2", "client.petrel.test", "carol"), Rounds(right, local: false).Select(r => (r.Round, r.Auth, r.Identity, r.EapIdentity)).Single());
    }

    [Fact]
    public void Psk_then_a_certificate_round()
    {
        var f = Create(
            client: [Round("local-1", "psk", "carol"), Round("local-2", "pubkey", CarolDn)],
            gatewayLocal: Round("local", "psk", "gw.petrel.test"),
            server: [Round("remote-1", "psk", "carol"), Round("remote-2", "pubkey", CarolDn)],
            clientSecrets: [Secret("ike", "gateway-psk", "carol", "gw.petrel.test")],
            serverSecrets: [Secret("ike", "gateway-psk", "carol", "gw.petrel.test")]);
        AssertUp(f);
        Assert.Equal([(1, "psk", "carol"), (2, "pubkey", CarolDn)], Rounds(f.RightSa, local: false).Select(r => (r.Round, r.Auth, r.Identity)));
        Assert.Contains($"authentication round 2 of 2 (remote-2, auth = pubkey) of '{CarolDn}' with", f.Right.Log.All);
    }

    [Theory]
    [InlineData("eap-mschapv2", "EAP-MSCHAPv2 verification of 'carol-eap' failed (wrong password)", "EAP-MSCHAPv2 authentication of 'carol-eap' in authentication round 2 of 2 (remote-2) failed")]
    [InlineData("eap-md5", "EAP-MD5 verification of 'carol-eap' failed (wrong password)", "EAP-MD5 authentication of 'carol-eap' in authentication round 2 of 2 (remote-2) failed")]
    public void A_wrong_password_in_the_second_round_is_refused_with_the_reason(string method, string reason, string roundReason)
    {
        var f = Create(
            client: [Round("local-1", "pubkey", CarolDn), Round("local-2", method, "carol-eap")],
            gatewayLocal: Round("local", "pubkey", GwDn),
            server: [Round("remote-1", "pubkey", CarolDn), Round("remote-2", method)],
            clientSecrets: [Secret("eap", "guess", "carol-eap")],
            serverSecrets: [Secret("eap", "s3cret", "carol-eap")]);
        var result = f.Initiate("home");
        Assert.False(result!.Success, Logs(f));
        Assert.Contains(reason, f.Right.Log.All);
        Assert.Contains(roundReason, f.Right.Log.All);
        Assert.Contains("authentication round 2 (local-2, auth = " + method + "): received EAP-Failure: the server refused our EAP authentication as 'carol-eap'", f.Left.Log.All);
        Assert.Contains("authentication round 2 (local-2", result.Message);
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Empty(f.Left.Engine.ListSas());
    }

    [Fact]
    public void A_wrong_psk_in_the_second_round_is_refused_with_the_reason()
    {
        var f = Create(
            client: [Round("local-1", "pubkey", CarolDn), Round("local-2", "psk", "carol")],
            gatewayLocal: Round("local", "pubkey", GwDn),
            server: [Round("remote-1", "pubkey", CarolDn), Round("remote-2", "psk", "carol")],
            clientSecrets: [Secret("ike", "wrong", "carol", GwDn)],
            serverSecrets: [Secret("ike", "right", "carol", GwDn)]);
        var result = f.Initiate("home");
        Assert.False(result!.Success, Logs(f));
        Assert.Contains("authentication round 2 of 2 (remote-2, auth = psk) of 'carol' with pre-shared key failed: AUTH does not verify", f.Right.Log.All);
        Assert.Contains("peer rejected our authentication round 2 (local-2, auth = psk) as 'carol': AUTHENTICATION_FAILED", f.Left.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Empty(f.Left.Engine.ListSas());
    }

    [Fact]
    public void A_client_that_stops_after_one_round_is_refused_by_a_gateway_that_requires_two()
    {
        var f = Create(
            client: [Round("local", "pubkey", CarolDn)],
            gatewayLocal: Round("local", "pubkey", GwDn),
            server: [Round("remote-1", "pubkey", CarolDn), Round("remote-2", "eap-md5")],
            clientSecrets: [],
            serverSecrets: [Secret("eap", "s3cret", "carol")]);
        var result = f.Initiate("home");
        Assert.False(result!.Success, Logs(f));
        Assert.Contains($"peer '{CarolDn}' finished authenticating after round 1, but connection 'rw' requires 2 rounds (remote-2 with auth = eap-md5 is missing)", f.Right.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Fact]
    public void A_gateway_with_one_round_refuses_a_client_announcing_another()
    {
        var f = Create(
            client: [Round("local-1", "pubkey", CarolDn), Round("local-2", "eap-md5", "carol")],
            gatewayLocal: Round("local", "pubkey", GwDn),
            server: [Round("remote-1", "pubkey", CarolDn), Round("remote-2", "eap-md5")],
            clientSecrets: [Secret("eap", "s3cret", "carol")],
            serverSecrets: [Secret("eap", "s3cret", "carol")]);
        // The gateway's connection is replaced by one with a single remote round: it does not announce MULTIPLE_AUTH_SUPPORTED.
        var single = EnginePki.Connection("rw", R, null, localTs: ["10.2.0.0/24"], remoteTs: ["dynamic"]);
        var gwKey = Pki.Key(KeyKind.Ecdsa, 256, 11);
        f.Right.Engine.Load([With(single, [Round("local", "pubkey", GwDn)], [Round("remote", "pubkey", CarolDn)])], [],
            Pki.Store(Pki.Issue(gwKey, GwDn, ["gw.petrel.test"]), gwKey, [Pki.Root]));
        var result = f.Initiate("home");
        Assert.False(result!.Success, Logs(f));
        Assert.Contains("authenticates in 2 rounds, but the peer did not announce MULTIPLE_AUTH_SUPPORTED (RFC 4739)", f.Left.Log.All);
    }
}
