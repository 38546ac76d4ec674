using System.Net;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// CRLs from the certificate's cRLDistributionPoints, fetched through a fake <see cref="ICrlFetcher"/> the test completes:
/// the IKE_AUTH message waits (deferred, retransmits absorbed, one answer), revocation fails with the URI in the log line in
/// both roles, remote.revocation = relaxed / ifuri / strict decide about unreachable and stale CRLs, the cache serves a
/// second client until nextUpdate, and other IKE SAs keep being served while a fetch is pending.
/// </summary>
public class CrlFetchTests
{
    private const string Uri = "http://crl.petrel.test/root.crl";
    private const string LeftDn = "C=CH, O=Petrel Test, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Test, CN=right.petrel.test";
    private const string RootName = "C=CH,O=Petrel Test,CN=Root CA";
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private static EnginePki Pki => EnginePki.Shared;
    private static DateTime Now => EnginePki.Now;

    private sealed record Setup(ExchangeFixture F, FakeCrlFetcher Fetcher, EnginePeer Checker, X509Certificate Checked, EnginePeer Other);

    /// <summary>
    /// The certificate of one side carries the CDP (when cdp); the other side checks it with the given policy and a fake fetcher.
    /// responderChecks: right (responder) checks left's certificate; else left (initiator) checks right's.
    /// </summary>
    private static Setup Create(bool responderChecks, RevocationPolicy policy = RevocationPolicy.Relaxed, bool cdp = true)
    {
        var leftKey = Pki.Key(KeyKind.Ecdsa, 256, 1);
        var rightKey = Pki.Key(KeyKind.Ecdsa, 256, 2);
        string[]? uris = cdp ? [Uri] : null;
        var leftCert = CertificateBuilder.Issue(leftKey.PublicKey, LeftDn, ["left.petrel.test"], Pki.Root, Pki.RootKey,
            Now.AddDays(-10), Now.AddDays(365), crlUris: responderChecks ? uris : null);
        var rightCert = CertificateBuilder.Issue(rightKey.PublicKey, RightDn, ["right.petrel.test"], Pki.Root, Pki.RootKey,
            Now.AddDays(-10), Now.AddDays(365), crlUris: responderChecks ? null : uris);
        var f = new ExchangeFixture();
        f.Left.Engine.Load([EnginePki.Connection("site", L, R, localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"],
            revocation: responderChecks ? RevocationPolicy.Relaxed : policy)], [], Pki.Store(leftCert, leftKey, [Pki.Root]));
        f.Right.Engine.Load([EnginePki.Connection("site", R, L, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"],
            revocation: responderChecks ? policy : RevocationPolicy.Relaxed)], [], Pki.Store(rightCert, rightKey, [Pki.Root]));
        var fetcher = new FakeCrlFetcher();
        var checker = responderChecks ? f.Right : f.Left;
        checker.Engine.CrlFetcher = fetcher;
        return new Setup(f, fetcher, checker, responderChecks ? leftCert : rightCert, responderChecks ? f.Left : f.Right);
    }

    private static byte[] CrlDer(X509Certificate? revoked, DateTime? nextUpdate = null, DateTime? thisUpdate = null) =>
        CertificateBuilder.Crl(Pki.Root, Pki.RootKey, revoked is null ? [] : [(revoked.SerialNumber, Now.AddDays(-3), 1)],
            thisUpdate ?? Now.AddDays(-1), nextUpdate ?? Now.AddDays(7)).GetEncoded();

    private static string Logs(Setup s) => s.F.Left.Log.All + "\n---\n" + s.F.Right.Log.All;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_certificate_revoked_by_the_crl_of_its_distribution_point_fails_with_the_uri_in_the_log(bool responderChecks)
    {
        var s = Create(responderChecks);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();

        Assert.Null(result);
        Assert.Equal([Uri], s.Fetcher.Requests);
        Assert.Contains($"fetching CRL from '{Uri}'", s.Checker.Log.All);
        Assert.Contains("deferred until the CRL fetch completes", s.Checker.Log.All);

        s.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(s.Checked)));
        s.F.Network.Run();

        Assert.True(result is { Success: false }, result?.Message + "\n" + Logs(s));
        Assert.Contains($"fetched CRL of '{RootName}' from '{Uri}', next update {Now.AddDays(7):yyyy-MM-dd HH:mm:ss} UTC", s.Checker.Log.All);
        string dn = responderChecks ? "C=CH,O=Petrel Test,CN=left.petrel.test" : "C=CH,O=Petrel Test,CN=right.petrel.test";
        Assert.Contains($"certificate '{dn}' (serial {s.Checked.SerialNumber.ToString(16)}) was revoked on {Now.AddDays(-3):yyyy-MM-dd HH:mm:ss} UTC, reason key compromise by the CRL of '{RootName}' from '{Uri}'", s.Checker.Log.All);
        if (responderChecks)
        {
            Assert.Contains("sending AUTHENTICATION_FAILED", s.Checker.Log.All);
            Assert.Contains("peer rejected our authentication: AUTHENTICATION_FAILED", result!.Message);
        }
        else
        {
            Assert.Contains("authentication of the peer failed", result!.Message);
        }
        Assert.Empty(s.F.Left.Engine.ListSas());
        Assert.Empty(s.F.Right.Engine.ListSas());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void While_the_fetch_is_pending_retransmits_are_absorbed_and_the_good_crl_gives_one_answer(bool responderChecks)
    {
        var s = Create(responderChecks, RevocationPolicy.Strict);
        // When left checks, the network delivers right's IKE_AUTH response twice: the copy arrives while the first waits.
        if (!responderChecks) s.F.Network.Duplicate(d => d.Source.Address.Equals(R) && d.ExchangeType == 35 && d.IsResponse);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();
        Assert.Null(result);

        // 10 s of waiting: when right checks, left retransmits its IKE_AUTH request (4 s, 7.2 s) and right absorbs them.
        s.F.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(result);
        if (responderChecks) Assert.Contains("retransmit 1 of IkeAuth request 1", s.F.Left.Log.All);
        else Assert.DoesNotContain("retransmit", s.F.Left.Log.All); // the response arrived: nothing outstanding
        Assert.Contains($"IkeAuth {(responderChecks ? "request" : "response")} 1 while waiting for a CRL fetch, absorbed", s.Checker.Log.All);
        Assert.Single(s.Fetcher.Requests);

        s.Fetcher.Complete(Uri, CrlFetchResult.Success(System.Text.Encoding.ASCII.GetBytes(CertificateBuilder.CrlPem(
            CertificateBuilder.Crl(Pki.Root, Pki.RootKey, [], Now.AddDays(-1), Now.AddDays(7))))));
        s.F.Network.Run();

        Assert.True(result is { Success: true }, result?.Message + "\n" + Logs(s));
        Assert.Equal("ESTABLISHED", s.F.LeftSa.State);
        Assert.Equal("ESTABLISHED", s.F.RightSa.State);
        Assert.Equal("INSTALLED", Assert.Single(s.F.RightSa.Children).State);
        var authResponses = s.F.Network.Delivered.Where(d => d.Source.Address.Equals(R) && d.ExchangeType == 35 && d.IsResponse).ToList();
        // Right answered IKE_AUTH once (when left checks, the network duplicated that one answer).
        Assert.Equal(responderChecks ? 1 : 2, authResponses.Count);
        Assert.Single(authResponses.Select(d => Convert.ToHexString(d.Data)).Distinct());
        Assert.Single(s.F.Left.Engine.ListSas());
    }

    public static TheoryData<RevocationPolicy, bool, string?> Unreachable => new()
    {
        // policy, CDP in the certificate, reason of the failure (null: established)
        { RevocationPolicy.Relaxed, true, null },
        { RevocationPolicy.IfUri, true, $"revocation = ifuri: no current CRL for certificate 'C=CH,O=Petrel Test,CN=left.petrel.test' (fetching '{Uri}' failed: connection refused)" },
        { RevocationPolicy.Strict, true, $"revocation = strict: no current CRL for certificate 'C=CH,O=Petrel Test,CN=left.petrel.test' (fetching '{Uri}' failed: connection refused)" },
        { RevocationPolicy.IfUri, false, null },
        { RevocationPolicy.Strict, false, $"revocation = strict: no current CRL for certificate 'C=CH,O=Petrel Test,CN=left.petrel.test' (it has no CRL URI and no CRL of '{RootName}' is loaded)" },
    };

    [Theory]
    [MemberData(nameof(Unreachable))]
    public void An_unreachable_distribution_point_fails_only_under_ifuri_and_strict(RevocationPolicy policy, bool cdp, string? failure)
    {
        var s = Create(responderChecks: true, policy, cdp);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();
        if (cdp)
        {
            s.Fetcher.Complete(Uri, CrlFetchResult.Failure("connection refused"));
            s.F.Network.Run();
            Assert.Contains($"fetching CRL from '{Uri}' failed: connection refused", s.Checker.Log.All);
        }
        else
        {
            Assert.Empty(s.Fetcher.Requests);
        }

        if (failure is null)
        {
            Assert.True(result is { Success: true }, result?.Message + "\n" + Logs(s));
        }
        else
        {
            Assert.True(result is { Success: false }, result?.Message + "\n" + Logs(s));
            Assert.Contains($"failed: {failure}, sending AUTHENTICATION_FAILED", s.Checker.Log.All);
        }
    }

    [Theory]
    [InlineData(RevocationPolicy.Relaxed, false)]
    [InlineData(RevocationPolicy.Strict, false)]
    [InlineData(RevocationPolicy.Relaxed, true)]
    public void A_stale_crl_passes_relaxed_fails_strict_and_still_revokes(RevocationPolicy policy, bool listsTheCertificate)
    {
        var s = Create(responderChecks: true, policy);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();
        // The server only has a CRL whose nextUpdate has passed.
        s.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(listsTheCertificate ? s.Checked : null, Now.AddDays(-1), Now.AddDays(-8))));
        s.F.Network.Run();

        if (listsTheCertificate)
        {
            Assert.True(result is { Success: false }, Logs(s));
            Assert.Contains($"was revoked on {Now.AddDays(-3):yyyy-MM-dd HH:mm:ss} UTC, reason key compromise by the CRL of '{RootName}' from '{Uri}'", s.Checker.Log.All);
        }
        else if (policy == RevocationPolicy.Relaxed)
        {
            Assert.True(result is { Success: true }, result?.Message + "\n" + Logs(s));
        }
        else
        {
            Assert.True(result is { Success: false }, Logs(s));
            Assert.Contains($"revocation = strict: no current CRL for certificate 'C=CH,O=Petrel Test,CN=left.petrel.test' (the CRL from '{Uri}' is stale since {Now.AddDays(-1):yyyy-MM-dd HH:mm:ss} UTC)", s.Checker.Log.All);
        }
    }

    [Fact]
    public void A_crl_signed_by_another_ca_does_not_count()
    {
        var s = Create(responderChecks: true, RevocationPolicy.Strict);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();
        var forged = CertificateBuilder.Crl(Pki.OtherRoot, Pki.OtherRootKey, [], Now.AddDays(-1), Now.AddDays(7));
        s.Fetcher.Complete(Uri, CrlFetchResult.Success(forged.GetEncoded()));
        s.F.Network.Run();

        Assert.True(result is { Success: false }, Logs(s));
        Assert.Contains($"(the CRL from '{Uri}' is not signed by '{RootName}')", s.Checker.Log.All);
    }

    [Fact]
    public void A_body_that_is_no_crl_is_a_failed_fetch()
    {
        var s = Create(responderChecks: true, RevocationPolicy.IfUri);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();
        s.Fetcher.Complete(Uri, CrlFetchResult.Success("<html>not found</html>"u8.ToArray()));
        s.F.Network.Run();

        Assert.True(result is { Success: false }, Logs(s));
        Assert.Contains($"fetching CRL from '{Uri}' failed: CRL from '{Uri}': not a valid X.509 CRL", s.Checker.Log.All);
    }

    [Fact]
    public void Each_link_is_checked_an_intermediate_revoked_by_the_root_crl_fails()
    {
        // left: leaf (CDP -> the intermediate's CRL) under an intermediate (CDP -> the root's CRL), sent in CERT payloads.
        const string intermediateUri = "http://crl.petrel.test/intermediate.crl";
        var intermediateKey = Pki.Key(KeyKind.Ecdsa, 256, 40);
        var intermediate = CertificateBuilder.Issue(intermediateKey.PublicKey, "C=CH, O=Petrel Test, CN=Revocable Intermediate", [],
            Pki.Root, Pki.RootKey, Now.AddDays(-30), Now.AddYears(2), isCa: true, crlUris: [Uri]);
        var leftKey = Pki.Key(KeyKind.Ecdsa, 256, 1);
        var leftCert = CertificateBuilder.Issue(leftKey.PublicKey, LeftDn, ["left.petrel.test"], intermediate, intermediateKey,
            Now.AddDays(-10), Now.AddDays(365), crlUris: [intermediateUri]);
        var rightKey = Pki.Key(KeyKind.Ecdsa, 256, 2);
        var f = new ExchangeFixture();
        var leftStore = Pki.Store(leftCert, leftKey, [Pki.Root]);
        leftStore.AddCa(intermediate, "intermediate.pem");
        f.Left.Engine.Load([EnginePki.Connection("site", L, R)], [], leftStore);
        f.Right.Engine.Load([EnginePki.Connection("site", R, L)], [], Pki.Store(Pki.Issue(rightKey, RightDn), rightKey, [Pki.Root]));
        var fetcher = new FakeCrlFetcher();
        f.Right.Engine.CrlFetcher = fetcher;
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();

        // Both CRLs are fetched at once; the leaf is fine, the intermediate is revoked by the root.
        Assert.Equal([intermediateUri, Uri], fetcher.Requests);
        fetcher.Complete(intermediateUri, CrlFetchResult.Success(CertificateBuilder.Crl(intermediate, intermediateKey, [], Now.AddDays(-1), Now.AddDays(7)).GetEncoded()));
        f.Network.Run();
        Assert.Null(result); // still waiting for the root's CRL
        fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(intermediate)));
        f.Network.Run();

        Assert.True(result is { Success: false }, f.Right.Log.All);
        Assert.Contains($"certificate 'C=CH,O=Petrel Test,CN=Revocable Intermediate' (serial {intermediate.SerialNumber.ToString(16)}) was revoked on", f.Right.Log.All);
        Assert.Contains($"by the CRL of '{RootName}' from '{Uri}', sending AUTHENTICATION_FAILED", f.Right.Log.All);
    }

    [Fact]
    public void Authority_crl_uris_are_used_for_certificates_without_a_distribution_point_and_ldap_is_a_failed_fetch()
    {
        const string ldap = "ldap://ldap.petrel.test/cn=Root%20CA?certificateRevocationList";
        var s = Create(responderChecks: true, RevocationPolicy.Strict, cdp: false);
        s.F.Right.Engine.Credentials!.AddCrlUri(Pki.Root, ldap);
        s.F.Right.Engine.Credentials!.AddCrlUri(Pki.Root, Uri);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();

        Assert.Equal([Uri], s.Fetcher.Requests); // the ldap URI never reaches the fetcher
        Assert.Contains($"fetching CRL from '{ldap}' failed: ldap URIs are not supported (only http and https)", s.Checker.Log.All);
        s.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(null)));
        s.F.Network.Run();

        Assert.True(result is { Success: true }, result?.Message + "\n" + Logs(s));
    }

    [Fact]
    public void A_password_in_a_distribution_point_uri_never_reaches_the_log()
    {
        const string secretUri = "http://crl-reader:s3cret-Pw@crl.petrel.test:8080/root.crl?x=1";
        var s = Create(responderChecks: true, RevocationPolicy.Strict, cdp: false);
        s.F.Right.Engine.Credentials!.AddCrlUri(Pki.Root, secretUri);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();

        Assert.Equal([secretUri], s.Fetcher.Requests); // the fetcher gets the URI as configured
        s.Fetcher.Complete(secretUri, CrlFetchResult.Failure("connection refused"));
        s.F.Network.Run();

        Assert.True(result is { Success: false }, result?.Message + "\n" + Logs(s));
        string redacted = "http://***@crl.petrel.test:8080/root.crl?x=1";
        Assert.Contains($"fetching CRL from '{redacted}'", s.Checker.Log.All);
        Assert.Contains($"fetching CRL from '{redacted}' failed: connection refused", s.Checker.Log.All);
        Assert.DoesNotContain("s3cret", Logs(s));
        Assert.DoesNotContain("s3cret", result!.Message);
    }

    [Theory]
    [InlineData("http://crl.petrel.test/root.crl", "http://crl.petrel.test/root.crl")]
    [InlineData("http://u:p@h/c.crl", "http://***@h/c.crl")]
    [InlineData("https://token@h:8443", "https://***@h:8443")]
    [InlineData("http://h/path@not-userinfo", "http://h/path@not-userinfo")]
    [InlineData("ldap://a:b@ldap.test/cn=x?certificateRevocationList", "ldap://***@ldap.test/cn=x?certificateRevocationList")]
    [InlineData("not a uri", "not a uri")]
    public void Logged_uris_hide_the_user_information(string uri, string logged) =>
        Assert.Equal(logged, LoggedUri.Of(uri));

    private const string GatewayDn = "C=CH, O=Petrel Test, CN=gw.petrel.test";
    private static readonly IPAddress Gateway = IPAddress.Parse("198.51.100.200");

    private sealed record Site(InMemoryNetwork Network, VirtualClock Clock, EnginePeer Gateway, FakeCrlFetcher Fetcher, List<EnginePeer> Clients);

    /// <summary>A %any gateway (ifuri, fake fetcher) and clients whose certificates carry the CDP; client i is revoked when asked.</summary>
    private static Site Gatekeeper(int clients, Func<int, bool>? withCdp = null)
    {
        var network = new InMemoryNetwork();
        var clock = new VirtualClock();
        var gatewayKey = Pki.Key(KeyKind.Ecdsa, 256, 100);
        var gatewayCert = Pki.Issue(gatewayKey, GatewayDn, ["gw.petrel.test"]);
        var gateway = new EnginePeer("gw", Gateway, network, clock, 500);
        gateway.Engine.Load([EnginePki.Connection("rw", Gateway, null, revocation: RevocationPolicy.IfUri)], [], Pki.Store(gatewayCert, gatewayKey, [Pki.Root]));
        var fetcher = new FakeCrlFetcher();
        gateway.Engine.CrlFetcher = fetcher;
        var list = new List<EnginePeer>();
        for (int i = 0; i < clients; i++)
        {
            var address = IPAddress.Parse($"198.51.100.{10 + i}");
            var key = Pki.Key(KeyKind.Ecdsa, 256, 200 + i);
            var cert = CertificateBuilder.Issue(key.PublicKey, $"C=CH, O=Petrel Test, CN=client-{i}", [], Pki.Root, Pki.RootKey,
                Now.AddDays(-10), Now.AddDays(365), crlUris: withCdp is null || withCdp(i) ? [Uri] : null);
            var client = new EnginePeer($"client{i}", address, network, clock, 1000 + i);
            client.Engine.Load([EnginePki.Connection("home", address, Gateway, remoteId: GatewayDn)], [], Pki.Store(cert, key, [Pki.Root]));
            list.Add(client);
        }
        return new Site(network, clock, gateway, fetcher, list);
    }

    private static InitiateResult? Connect(Site site, int client)
    {
        InitiateResult? result = null;
        site.Clients[client].Engine.Initiate("home", null, r => result = r);
        site.Network.Run();
        return result;
    }

    [Fact]
    public void One_fetch_serves_a_burst_and_later_clients_until_next_update_and_a_failure_is_held_briefly()
    {
        var site = Gatekeeper(6);
        // A burst: two clients need the CRL before it arrives; one fetch serves both.
        Assert.Null(Connect(site, 0));
        Assert.Null(Connect(site, 1));
        Assert.Single(site.Fetcher.Requests);
        site.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(null, Now.AddHours(1), Now.AddMinutes(-5))));
        site.Network.Run();
        Assert.True(site.Clients[0].Engine.ListSas() is [{ State: "ESTABLISHED" }], site.Gateway.Log.All);
        Assert.True(site.Clients[1].Engine.ListSas() is [{ State: "ESTABLISHED" }], site.Gateway.Log.All);

        // Within nextUpdate: answered from the cache, no second fetch.
        Assert.True(Connect(site, 2) is { Success: true }, site.Gateway.Log.All);
        Assert.Single(site.Fetcher.Requests);

        // After nextUpdate the CRL is stale: fetched again; the server is down now, which is remembered for 30 s.
        site.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Null(Connect(site, 3));
        Assert.Equal(2, site.Fetcher.Requests.Count);
        site.Fetcher.Complete(Uri, CrlFetchResult.Failure("timed out after 10 s"));
        site.Network.Run();
        Assert.Empty(site.Clients[3].Engine.ListSas()); // ifuri: stale CRL and failed fetch
        Assert.Contains($"revocation = ifuri: no current CRL for certificate 'C=CH,O=Petrel Test,CN=client-3' (the CRL from '{Uri}' is stale since", site.Gateway.Log.All);
        Assert.Contains($"fetching '{Uri}' failed: timed out after 10 s)", site.Gateway.Log.All);

        Assert.True(Connect(site, 4) is { Success: false }); // refused at once from the held failure
        Assert.Equal(2, site.Fetcher.Requests.Count);

        site.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(Connect(site, 5)); // the hold is over: fetched again
        Assert.Equal(3, site.Fetcher.Requests.Count);
        site.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(null, EnginePki.Now.AddHours(3), Now.AddMinutes(60))));
        site.Network.Run();
        Assert.True(site.Clients[5].Engine.ListSas() is [{ State: "ESTABLISHED" }], site.Gateway.Log.All);
    }

    [Fact]
    public void Other_ike_sas_are_served_while_a_fetch_is_pending()
    {
        // Client 0 has no CDP (established at once); client 1 waits for its CRL while client 0 opens a second CHILD_SA.
        var site = Gatekeeper(2, withCdp: i => i == 1);
        Assert.True(Connect(site, 0) is { Success: true }, site.Gateway.Log.All);
        Assert.Null(Connect(site, 1));
        Assert.Equal(1, site.Fetcher.Open);

        site.Clients[0].Engine.Terminate("home", "net", _ => { });
        site.Network.Run();
        InitiateResult? again = null;
        site.Clients[0].Engine.Initiate("home", "net", r => again = r);
        site.Network.Run();
        Assert.True(again is { Success: true }, again?.Message + "\n" + site.Gateway.Log.All);
        Assert.Single(Assert.Single(site.Clients[0].Engine.ListSas()).Children);

        site.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(null)));
        site.Network.Run();
        Assert.Equal(2, site.Gateway.Engine.ListSas().Count(sa => sa.State == "ESTABLISHED"));
    }
}
