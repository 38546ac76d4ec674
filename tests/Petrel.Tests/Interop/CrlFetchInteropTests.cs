using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// CRLs fetched from the certificate's distribution point against strongSwan 5.9.8: strongSwan initiates with client
/// certificates whose cRLDistributionPoints name an HTTP server in the Petrel responder's namespace; Petrel
/// (remote.revocation = strict, no CRL files) fetches the CRL while the IKE_AUTH request waits, lets the good client up
/// with traffic through the tunnel, and refuses the revoked one, from the cached CRL, with the reason in its log.
/// </summary>
[Trait("Category", "Interop")]
public sealed class CrlFetchInteropTests(CrlFetchInteropLab fixture, ITestOutputHelper output) : IClassFixture<CrlFetchInteropLab>
{
    private static readonly ProposalPair Proposals = ProposalPair.Gcm128;

    [RootFact]
    public void Petrel_fetches_the_crl_lets_the_good_client_in_and_refuses_the_revoked_one()
    {
        var lab = fixture.Lab;
        var pki = fixture.Pki;
        string url = fixture.CrlUrl;
        string petrelConf = LabConfig.For(lab.Right, lab.Left, Proposals, auth: new LabAuth("right.pem", Revocation: "strict"));
        string petrelSite = pki.Site("right", ["right"], ["ca"]); // no CRL files: only the distribution point

        var (petrel, strongswan) = fixture.Peers.Configure(petrelConf, petrelSite,
            LabConfig.For(lab.Left, lab.Right, Proposals, auth: new LabAuth("good.pem", RemoteId: CrlFetchInteropLab.RightDn)),
            pki.Site("left-good", ["good"], ["ca"]));
        try
        {
            // The good client: Petrel defers its IKE_AUTH until the CRL is fetched, then answers; traffic flows.
            int mark = petrel.Log().Length;
            strongswan.Initiate(LabConfig.Child, timeoutSeconds: 15).EnsureSuccess();
            var ping = lab.Ping(lab.Left, lab.Right, count: 5);
            Assert.True(ping.Succeeded, ping.Describe());
            Assert.Contains("5 received", ping.StandardOutput);
            string log = petrel.Log()[mark..];
            // The first IKE_AUTH that needs the CRL waits for it (this one, or the other test's if it ran first).
            string all = petrel.Log();
            AssertLogged(all, $"fetching CRL from '{url}'");
            AssertLogged(all, "deferred until the CRL fetch completes");
            AssertLogged(all, $"fetched CRL of 'C=CH,O=Petrel Lab,CN=CRL CA' from '{url}', next update");
            // The certificate check's success line is debug; the established line names the authenticated peer.
            Assert.True(log.Split('\n').Any(l => l.Contains("established between", StringComparison.Ordinal) && l.Contains($"[{CrlFetchInteropLab.GoodDn}]", StringComparison.Ordinal)),
                $"Petrel's log does not say the IKE SA with '{CrlFetchInteropLab.GoodDn}' was established:\n{log}");
            var ike = petrel.ListSasOverSocket().Find(LabConfig.Connection);
            Assert.True(ike is { State: "ESTABLISHED" }, "Petrel lists no established IKE SA");
            output.WriteLine(Line(all, "fetched CRL of"));
            output.WriteLine("good client: " + ping.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains("received", StringComparison.Ordinal)));
            fixture.Peers.Clear(LabConfig.Connection);

            // The revoked client of the same CA: refused from the cached CRL (no second fetch), reason in Petrel's log.
            (petrel, strongswan) = fixture.Peers.Configure(petrelConf, petrelSite,
                LabConfig.For(lab.Left, lab.Right, Proposals, auth: new LabAuth("revoked.pem", RemoteId: CrlFetchInteropLab.RightDn)),
                pki.Site("left-revoked", ["revoked"], ["ca"]));
            mark = petrel.Log().Length;
            int charonMark = strongswan.Log().Length;
            var refused = strongswan.Initiate(LabConfig.Child, timeoutSeconds: 10);
            Assert.False(refused.Succeeded, "strongSwan's initiation with the revoked certificate succeeded:\n" + refused.Describe());
            log = petrel.Log()[mark..];
            string revoked = $"certificate 'C=CH,O=Petrel Lab,CN=revoked-client' (serial ";
            AssertLogged(log, revoked);
            AssertLogged(log, $"by the CRL of 'C=CH,O=Petrel Lab,CN=CRL CA' from '{url}', sending AUTHENTICATION_FAILED");
            AssertLogged(strongswan.Log()[charonMark..], "received AUTHENTICATION_FAILED notify error");
            Assert.DoesNotContain("fetching CRL from", log);
            var after = petrel.ListSasOverSocket().Find(LabConfig.Connection);
            Assert.True(after is null || after.State != "ESTABLISHED", "Petrel lists an established IKE SA for the revoked client");
            Assert.Single(fixture.HttpLog.Split('\n'), l => l.Contains("\"GET /ca.crl HTTP/1.1\" 200", StringComparison.Ordinal));
            output.WriteLine(Line(log, revoked));
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            output.WriteLine("HTTP server: " + fixture.HttpLog);
            throw;
        }
        finally
        {
            // A failure above must not leave an IKE SA that the other test's "petrel up" would find.
            fixture.Peers.Clear(LabConfig.Connection);
        }
    }

    [RootFact]
    public void Petrel_as_initiator_refuses_a_strongswan_responder_whose_certificate_the_crl_revokes()
    {
        var lab = fixture.Lab;
        var pki = fixture.Pki;
        string url = fixture.CrlUrl;
        var (petrel, strongswan) = fixture.Peers.Configure(
            LabConfig.For(lab.Right, lab.Left, Proposals, auth: new LabAuth("right.pem", RemoteId: CrlFetchInteropLab.RevokedGatewayDn, Revocation: "strict")),
            pki.Site("right-initiator", ["right"], ["ca"]),
            LabConfig.For(lab.Left, lab.Right, Proposals, auth: new LabAuth("revoked-gw.pem", RemoteId: CrlFetchInteropLab.RightDn)),
            pki.Site("left-revoked-gw", ["revoked-gw"], ["ca"]));
        try
        {
            int mark = petrel.Log().Length;
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child, timeoutSeconds: 15);
            Assert.False(up.Succeeded, "petrel up succeeded against a revoked responder:\n" + up.Describe());
            string log = petrel.Log()[mark..];
            string revoked = "authentication of the peer failed: 'C=CH, O=Petrel Lab, CN=revoked-gateway' with";
            AssertLogged(log, revoked);
            AssertLogged(log, $"certificate 'C=CH,O=Petrel Lab,CN=revoked-gateway' (serial ");
            AssertLogged(log, $"by the CRL of 'C=CH,O=Petrel Lab,CN=CRL CA' from '{url}'");
            var ike = petrel.ListSasOverSocket().Find(LabConfig.Connection);
            Assert.True(ike is null || ike.State != "ESTABLISHED", "Petrel lists an established IKE SA");
            output.WriteLine(Line(log, revoked));
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            output.WriteLine("HTTP server: " + fixture.HttpLog);
            throw;
        }
        finally
        {
            fixture.Peers.Clear(LabConfig.Connection);
        }
    }

    private static void AssertLogged(string log, string fragment) =>
        Assert.True(log.Contains(fragment, StringComparison.Ordinal), $"Petrel's log does not say '{fragment}':\n{(log.Length > 6000 ? "…" + log[^6000..] : log)}");

    private static string Line(string log, string fragment) =>
        log.Split('\n').FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal))?.Trim() ?? "";
}
