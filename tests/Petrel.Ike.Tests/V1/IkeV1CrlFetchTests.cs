using System.Net;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// IKEv1 certificate authentication while the peer certificate's CRL is being fetched (a fake fetcher the test completes):
/// the Phase 1 message with the certificate waits, as IKEv2's IKE_AUTH does, instead of failing; the peer's retransmits
/// meanwhile are ignored; once the CRL is there a good certificate gets its SA and a revoked one is refused with the
/// reason. Main and Aggressive Mode, the checker as responder and as initiator.
/// </summary>
public class IkeV1CrlFetchTests
{
    private const string Uri = "http://crl.petrel.test/root.crl";
    private const string LeftDn = "C=CH, O=Petrel Test, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Test, CN=right.petrel.test";
    private static EnginePki Pki => EnginePki.Shared;
    private static DateTime Now => EnginePki.Now;

    private sealed record Setup(ExchangeFixture F, FakeCrlFetcher Fetcher, EnginePeer Checker, X509Certificate Checked);

    private static ConnectionConfig Connection(IPAddress local, IPAddress remote, string localId, string remoteId, string[] localTs, string[] remoteTs,
        bool aggressive, RevocationPolicy revocation)
    {
        var c = V1Fixture.Connection(local, remote, localId, remoteId, "aes128-sha256-modp2048", "aes128-sha256", localTs, remoteTs,
            aggressive: aggressive, auth: "pubkey");
        return new ConnectionConfig
        {
            Name = "site", Version = 1, Aggressive = aggressive, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals,
            DpdDelay = TimeSpan.Zero, Local = c.Local, Children = c.Children,
            Remote = new AuthConfig { Auth = "pubkey", Id = remoteId, Revocation = revocation },
        };
    }

    /// <summary>responderChecks: right (responder) checks left's certificate, whose CDP names the URI; else left checks right's.</summary>
    private static Setup Create(bool responderChecks, bool aggressive)
    {
        var leftKey = Pki.Key(KeyKind.Rsa, 2048, 1);
        var rightKey = Pki.Key(KeyKind.Rsa, 2048, 2);
        var leftCert = CertificateBuilder.Issue(leftKey.PublicKey, LeftDn, ["left.petrel.test"], Pki.Root, Pki.RootKey,
            Now.AddDays(-10), Now.AddDays(365), crlUris: responderChecks ? [Uri] : null);
        var rightCert = CertificateBuilder.Issue(rightKey.PublicKey, RightDn, ["right.petrel.test"], Pki.Root, Pki.RootKey,
            Now.AddDays(-10), Now.AddDays(365), crlUris: responderChecks ? null : [Uri]);
        var f = new ExchangeFixture();
        var l = ExchangeFixture.LeftAddress;
        var r = ExchangeFixture.RightAddress;
        f.Left.Engine.Load([Connection(l, r, LeftDn, RightDn, ["10.1.0.0/24"], ["10.2.0.0/24"], aggressive, responderChecks ? RevocationPolicy.Relaxed : RevocationPolicy.Strict)],
            [], Pki.Store(leftCert, leftKey, [Pki.Root]));
        f.Right.Engine.Load([Connection(r, l, RightDn, LeftDn, ["10.2.0.0/24"], ["10.1.0.0/24"], aggressive, responderChecks ? RevocationPolicy.Strict : RevocationPolicy.Relaxed)],
            [], Pki.Store(rightCert, rightKey, [Pki.Root]));
        var fetcher = new FakeCrlFetcher();
        var checker = responderChecks ? f.Right : f.Left;
        checker.Engine.CrlFetcher = fetcher;
        return new Setup(f, fetcher, checker, responderChecks ? leftCert : rightCert);
    }

    private static byte[] CrlDer(X509Certificate? revoked) =>
        CertificateBuilder.Crl(Pki.Root, Pki.RootKey, revoked is null ? [] : [(revoked.SerialNumber, Now.AddDays(-3), 1)],
            Now.AddDays(-1), Now.AddDays(7)).GetEncoded();

    private static string Logs(Setup s) => s.F.Left.Log.All + "\n---\n" + s.F.Right.Log.All;

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Phase1_waits_for_the_crl_fetch_and_a_good_certificate_gets_its_sa(bool responderChecks, bool aggressive)
    {
        var s = Create(responderChecks, aggressive);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();
        Assert.Null(result);
        Assert.Equal([Uri], s.Fetcher.Requests);
        Assert.Contains($"{(aggressive ? "Aggressive" : "Main")} Mode message with the peer's certificate deferred until the CRL fetch completes", s.Checker.Log.All);
        // (In Aggressive Mode the initiator counts Phase 1 as done once it sent message 3; the checker does not.)
        Assert.DoesNotContain(s.Checker.Engine.ListSas(), x => x.State == "ESTABLISHED");

        // 10 s of waiting: nothing gives up, the peer's retransmits are ignored, nothing is fetched twice.
        s.F.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(result);
        Assert.Single(s.Fetcher.Requests);
        Assert.DoesNotContain("Mode failed", Logs(s));

        s.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(null)));
        s.F.Network.Run();
        // An Aggressive Mode initiator started Quick Mode while the responder waited: its next retransmit goes through.
        if (aggressive && responderChecks)
        {
            Assert.Contains("before Phase 1 is complete; waiting for its retransmit", s.F.Right.Log.All);
            s.F.Advance(TimeSpan.FromSeconds(30));
        }
        Assert.True(result is { Success: true }, result?.Message + "\n" + Logs(s));
        Assert.Equal("ESTABLISHED", s.F.LeftSa.State);
        Assert.Equal("ESTABLISHED", s.F.RightSa.State);
        Assert.Equal(RightDn, s.F.LeftSa.RemoteId);
        Assert.Equal(LeftDn, s.F.RightSa.RemoteId);
        Assert.Equal("INSTALLED", Assert.Single(s.F.RightSa.Children).State);
        Assert.Equal(s.F.Left.Kernel.Outbound.EncryptionKey, s.F.Right.Kernel.Inbound.EncryptionKey);
        // The peer's retransmits during the wait were ignored, not checked (and deferred) again.
        Assert.Single(s.Checker.Log.All.Split('\n'), l => l.Contains("deferred until the CRL fetch completes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_certificate_revoked_by_the_fetched_crl_is_refused_with_the_reason(bool responderChecks)
    {
        var s = Create(responderChecks, aggressive: false);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();
        Assert.Null(result);
        s.Fetcher.Complete(Uri, CrlFetchResult.Success(CrlDer(s.Checked)));
        s.F.Network.Run();
        if (responderChecks) s.F.Advance(TimeSpan.FromSeconds(300)); // the initiator gives up on its unanswered message 5
        Assert.True(result is { Success: false }, result?.Message + "\n" + Logs(s));
        string dn = responderChecks ? "C=CH,O=Petrel Test,CN=left.petrel.test" : "C=CH,O=Petrel Test,CN=right.petrel.test";
        Assert.Contains($"certificate '{dn}' (serial {s.Checked.SerialNumber.ToString(16)}) was revoked", s.Checker.Log.All);
        Assert.Contains("Main Mode failed", s.Checker.Log.All);
        Assert.Empty(s.Checker.Engine.ListSas());
    }
}
