using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Certificate authentication that must fail, Petrel (right) ⇄ strongSwan (left), in both directions: strongSwan
/// initiates and Petrel refuses strongSwan's certificate, then Petrel initiates and strongSwan refuses Petrel's.
/// Each time no SA comes up, the refusing side's log says which certificate and why, and the other side's log
/// shows the AUTHENTICATION_FAILED it received.
/// </summary>
[Trait("Category", "Interop")]
public sealed class CertificateFailureTests(CertificateFailureLab fixture, ITestOutputHelper output) : IClassFixture<CertificateFailureLab>
{
    private static readonly ProposalPair Proposals = ProposalPair.Gcm128;

    private sealed record Case(string LeftCert, string RightCert, string[] LeftCas, string[] RightCas, string[] Crls,
        string? LeftRemoteId, string? RightRemoteId, string PetrelReason, string CharonReason);

    private static Case For(string failure) => failure switch
    {
        // Each side's certificate comes from a CA the other side does not trust.
        "wrong-ca" => new("left-other", "right", ["other"], ["good"], [], CertificateFailureLab.RightDn, CertificateFailureLab.LeftDn,
            "no trusted chain", "no trusted"),
        "expired" => new("left-expired", "right-expired", ["good"], ["good"], [], CertificateFailureLab.RightDn, CertificateFailureLab.LeftDn,
            "expired on 2025-01-01 00:00:00 UTC", "subject certificate invalid (valid from"),
        "revoked" => new("left-revoked", "right-revoked", ["good"], ["good"], ["good"], CertificateFailureLab.RightDn, CertificateFailureLab.LeftDn,
            "was revoked on", "certificate was revoked"),
        // Wildcard ids (so neither side sends them as IDr) that the certificates do not carry.
        _ => new("left", "right", ["good"], ["good"], [], "C=CH, O=Nowhere, CN=*", "C=CH, O=Nowhere, CN=*",
            // strongSwan as responder finds no connection whose remote id matches Petrel's IDi.
            "does not match", "no matching peer config found"),
    };

    [RootTheory]
    [InlineData("wrong-ca")]
    [InlineData("expired")]
    [InlineData("revoked")]
    [InlineData("id-mismatch")]
    public void Authentication_fails_in_both_directions_with_the_reason_in_both_logs(string failure)
    {
        var lab = fixture.Lab;
        var pki = fixture.Pki;
        var c = For(failure);
        var (petrel, strongswan) = fixture.Peers.Configure(
            LabConfig.For(lab.Right, lab.Left, Proposals, auth: new LabAuth(c.RightCert + ".pem", RemoteId: c.RightRemoteId)),
            pki.Site("right-" + failure, [c.RightCert], c.RightCas, c.Crls),
            LabConfig.For(lab.Left, lab.Right, Proposals, auth: new LabAuth(c.LeftCert + ".pem", RemoteId: c.LeftRemoteId)),
            pki.Site("left-" + failure, [c.LeftCert], c.LeftCas, c.Crls));
        try
        {
            // strongSwan initiates; Petrel refuses strongSwan's certificate.
            int petrelMark = petrel.Log().Length, charonMark = strongswan.Log().Length;
            var initiate = strongswan.Initiate(LabConfig.Child, timeoutSeconds: 10);
            Assert.False(initiate.Succeeded, "strongSwan's initiation succeeded:\n" + initiate.Describe());
            AssertNoSas(petrel, strongswan);
            string petrelLog = petrel.Log()[petrelMark..], charonLog = strongswan.Log()[charonMark..];
            AssertLogged(petrelLog, c.PetrelReason, "Petrel (refusing strongSwan's certificate)");
            AssertLogged(petrelLog, "CN=left.petrel.test", "Petrel (naming strongSwan's certificate)");
            AssertLogged(charonLog, "received AUTHENTICATION_FAILED notify error", "charon (refused by Petrel)");
            output.WriteLine($"{failure}, strongSwan → Petrel: Petrel logged: {Line(petrelLog, c.PetrelReason)}");

            // Petrel initiates; strongSwan refuses Petrel's certificate.
            petrelMark = petrel.Log().Length;
            charonMark = strongswan.Log().Length;
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child, timeoutSeconds: 10);
            Assert.False(up.Succeeded, "petrel up succeeded:\n" + up.Describe());
            AssertNoSas(petrel, strongswan);
            petrelLog = petrel.Log()[petrelMark..];
            charonLog = strongswan.Log()[charonMark..];
            AssertLogged(charonLog, c.CharonReason, "charon (refusing Petrel's certificate)");
            AssertLogged(charonLog, "CN=right.petrel.test", "charon (naming Petrel's certificate or identity)");
            AssertLogged(petrelLog, "AUTHENTICATION_FAILED", "Petrel (refused by strongSwan)");
            output.WriteLine($"{failure}, Petrel → strongSwan: charon logged: {Line(charonLog, c.CharonReason)}; petrel up said: {up.StandardError.Trim()}");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    private static void AssertNoSas(PetrelPeer petrel, StrongSwanPeer strongswan)
    {
        var ike = petrel.ListSasOverSocket().Find(LabConfig.Connection);
        Assert.True(ike is null || ike.State != "ESTABLISHED", "Petrel lists an established IKE SA");
        Assert.DoesNotContain("ESTABLISHED", strongswan.ListSas());
    }

    private static void AssertLogged(string log, string fragment, string who) =>
        Assert.True(log.Contains(fragment, StringComparison.Ordinal), $"{who}: the log does not say '{fragment}':\n{(log.Length > 6000 ? "…" + log[^6000..] : log)}");

    private static string Line(string log, string fragment) =>
        log.Split('\n').FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal))?.Trim() ?? "";
}
