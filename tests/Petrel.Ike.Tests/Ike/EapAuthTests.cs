using System.Net;
using System.Text;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// IKE_AUTH with EAP (RFC 7296 §2.16) between two engines: left is the client (local auth = eap…), right the gateway
/// (remote auth = eap…) authenticating itself with a certificate, a PSK, or EAP-only (RFC 5998). Every method in
/// both roles, the identity round, NT-hash secrets, and the refusals with the reason in the log.
/// </summary>
public class EapAuthTests
{
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private const string GwDn = "C=CH, O=Petrel Test, CN=gw.petrel.test";
    private const string CarolDn = "C=CH, O=Petrel Test, CN=carol";
    private static EnginePki Pki => EnginePki.Shared;

    private static SharedSecret Eap(string password, params string[] ids) => new() { Kind = "eap", Ids = ids, Secret = Encoding.UTF8.GetBytes(password) };

    private static ConnectionConfig With(ConnectionConfig c, AuthConfig? local = null, AuthConfig? remote = null) => new()
    {
        Name = c.Name, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals, Children = c.Children,
        Local = local ?? c.Local, Remote = remote ?? c.Remote,
    };

    private sealed record Setup(ExchangeFixture F, X509Certificate GwCert);

    private static Setup Create(string clientAuth, string serverRemoteAuth, string serverLocalAuth = "pubkey", string clientRemoteAuth = "pubkey",
        string clientPassword = "s3cret", SharedSecret? serverSecret = null, string? serverEapId = null, string? clientEapId = null,
        bool clientCertByOtherCa = false, string clientId = "carol")
    {
        var gwKey = Pki.Key(KeyKind.Ecdsa, 256, 11);
        var carolKey = Pki.Key(KeyKind.Ecdsa, 256, 12);
        var gwCert = Pki.Issue(gwKey, GwDn, ["gw.petrel.test"]);
        var carolCert = Pki.Issue(carolKey, CarolDn, ["carol"], byOtherCa: clientCertByOtherCa);
        var f = new ExchangeFixture();

        var client = EnginePki.Connection("home", L, R, localTs: ["dynamic"], remoteTs: ["10.2.0.0/24"]);
        client = With(client,
            new AuthConfig { Auth = clientAuth, Id = clientId, EapId = clientEapId },
            new AuthConfig { Auth = clientRemoteAuth, Id = clientRemoteAuth is "psk" or "eap-md5" ? "gw.petrel.test" : GwDn });
        var server = EnginePki.Connection("rw", R, null, localTs: ["10.2.0.0/24"], remoteTs: ["dynamic"]);
        server = With(server,
            new AuthConfig { Auth = serverLocalAuth, Id = serverLocalAuth is "psk" or "eap-md5" ? "gw.petrel.test" : null },
            new AuthConfig { Auth = serverRemoteAuth, EapId = serverEapId });
        SharedSecret psk = new() { Ids = ["carol", "gw.petrel.test"], Secret = Encoding.UTF8.GetBytes("gateway-psk") };
        f.Left.Engine.Load([client], [Eap(clientPassword, "carol"), psk], Pki.Store(carolCert, carolKey, [Pki.Root]));
        f.Right.Engine.Load([server], [serverSecret ?? Eap("s3cret", "carol"), psk], Pki.Store(gwCert, gwKey, [Pki.Root]));
        return new Setup(f, gwCert);
    }

    private static void AssertUp(Setup s, string method, string identity = "carol")
    {
        var result = s.F.Initiate("home");
        Assert.True(result is { Success: true }, $"{result?.Message}\n--- left\n{s.F.Left.Log.All}\n--- right\n{s.F.Right.Log.All}");
        var left = s.F.LeftSa;
        var right = s.F.RightSa;
        Assert.Equal("ESTABLISHED", left.State);
        Assert.Equal("ESTABLISHED", right.State);
        Assert.Equal(identity, right.EapIdentity);
        Assert.Equal(identity, left.EapIdentity);
        var child = Assert.Single(left.Children);
        Assert.Equal("INSTALLED", child.State);
        Assert.Equal(child.SpiOut, Assert.Single(right.Children).SpiIn);
        Assert.Contains($"{method} authentication of '{identity}' successful", s.F.Right.Log.All);
        Assert.Contains("with EAP successful", s.F.Left.Log.All);
    }

    [Theory]
    [InlineData("eap-mschapv2", "EAP-MSCHAPv2")]
    [InlineData("eap-md5", "EAP-MD5")]
    [InlineData("eap-tls", "EAP-TLS")]
    public void Client_authenticates_with_eap_to_a_gateway_with_a_certificate(string auth, string method)
    {
        var s = Create(auth, auth);
        AssertUp(s, method);
        Assert.Contains($"authentication of '{GwDn}' with", s.F.Left.Log.All);
        Assert.Contains(auth == "eap-md5" ? "no MSK established" : "MSK established", s.F.Right.Log.All);
    }

    [Fact]
    public void Gateway_with_a_psk_and_a_client_with_eap_mschapv2()
    {
        var s = Create("eap-mschapv2", "eap-mschapv2", serverLocalAuth: "psk", clientRemoteAuth: "psk");
        AssertUp(s, "EAP-MSCHAPv2");
    }

    [Fact]
    public void Eap_only_with_eap_tls_verifies_the_gateway_by_its_tls_certificate()
    {
        var s = Create("eap-tls", "eap-tls", serverLocalAuth: "eap-tls", clientRemoteAuth: "eap-tls");
        AssertUp(s, "EAP-TLS");
        Assert.Contains("EAP-only (RFC 5998)", s.F.Right.Log.All);
        Assert.Contains($"authentication of '{GwDn}' with EAP successful", s.F.Left.Log.All);
        Assert.DoesNotContain("successful (certificate", s.F.Left.Log.All);
    }

    [Fact]
    public void Eap_only_with_md5_is_refused_by_the_client_because_md5_does_not_authenticate_the_server()
    {
        var s = Create("eap-md5", "eap-md5", serverLocalAuth: "eap-md5", clientRemoteAuth: "eap-md5");
        var result = s.F.Initiate("home");
        Assert.False(result!.Success, s.F.Left.Log.All + "\n" + s.F.Right.Log.All);
        Assert.True(s.F.Left.Log.All.Contains("EAP-MD5 does not authenticate the server, so it cannot be used EAP-only"), s.F.Left.Log.All + "\n" + s.F.Right.Log.All);
    }

    [Theory]
    [InlineData("eap-md5", "EAP-MD5")]
    [InlineData("eap-mschapv2", "EAP-MSCHAPv2")]
    public void Eap_id_any_asks_the_identity_and_a_client_with_auth_eap_takes_the_servers_method(string serverAuth, string method)
    {
        // The IKE identity differs from the EAP identity: the gateway asks with EAP-Identity (remote.eap_id = %any).
        var s = Create("eap", serverAuth, serverEapId: "%any", clientEapId: "carol", clientId: "client.petrel.test");
        AssertUp(s, method);
        Assert.Equal("client.petrel.test", s.F.RightSa.RemoteId);
    }

    [Fact]
    public void Server_with_an_nt_hash_secret_authenticates_mschapv2()
    {
        // NtPasswordHash("s3cret"), as swanctl.conf's secrets.ntlm-NAME.secret = 0x… holds it.
        var hash = Petrel.Ike.Eap.EapSecret.FromPassword(Encoding.UTF8.GetBytes("s3cret")).NtHash();
        var s = Create("eap-mschapv2", "eap-mschapv2", serverSecret: new SharedSecret { Kind = "ntlm", Ids = ["carol"], Secret = hash });
        AssertUp(s, "EAP-MSCHAPv2");
    }

    [Theory]
    [InlineData("eap-mschapv2", "EAP-MSCHAPv2 verification of 'carol' failed (wrong password)")]
    [InlineData("eap-md5", "EAP-MD5 verification of 'carol' failed (wrong password)")]
    public void A_wrong_password_is_refused_with_the_reason_in_the_log(string auth, string reason)
    {
        var s = Create(auth, auth, clientPassword: "guess");
        var result = s.F.Initiate("home");
        Assert.False(result!.Success);
        Assert.Contains(reason, s.F.Right.Log.All);
        Assert.Contains("sending EAP-Failure", s.F.Right.Log.All);
        Assert.Contains("received EAP-Failure: the server refused our EAP authentication as 'carol'", s.F.Left.Log.All);
        Assert.Empty(s.F.Right.Engine.ListSas());
        Assert.Empty(s.F.Left.Engine.ListSas());
    }

    [Fact]
    public void A_client_certificate_from_an_untrusted_ca_is_refused_with_the_reason_in_the_log()
    {
        var s = Create("eap-tls", "eap-tls", clientCertByOtherCa: true);
        var result = s.F.Initiate("home");
        Assert.False(result!.Success);
        Assert.Contains("EAP-TLS authentication of 'carol' failed: EAP-TLS peer certificate refused: certificate 'C=CH, O=Petrel Test, CN=carol'", s.F.Right.Log.All);
        Assert.Empty(s.F.Right.Engine.ListSas());
    }
}
