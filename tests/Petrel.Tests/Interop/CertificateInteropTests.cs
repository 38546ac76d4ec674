using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel (right) ⇄ strongSwan (left) authenticating with X.509 certificates, once made by <c>petrel pki</c> and
/// once by strongSwan's <c>pki</c>; in each, one side signs with RSA and the other with ECDSA (swapped between the
/// two), so both tools' RSA and ECDSA certificates are signed and verified by both implementations. strongSwan
/// initiates, then Petrel does; each time both sides show the other's subject DN as identity, charon logs the
/// successful signature check of Petrel, and pings and 1 MB of TCP pass through the tunnel. In the petrel pki case
/// both private keys are encrypted PKCS#8, opened by each side with its secrets.private-lab passphrase.
/// </summary>
[Trait("Category", "Interop")]
public sealed class CertificateInteropTests(CertificateInteropLab fixture, ITestOutputHelper output) : IClassFixture<CertificateInteropLab>
{
    private const string LeftDn = "C=CH, O=Petrel Lab, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";

    private static readonly ProposalPair Proposals = ProposalPair.Gcm128;

    [RootTheory]
    [InlineData(LabPkiTool.Petrel, "rsa", "ecdsa", "lab key passphrase")]
    [InlineData(LabPkiTool.StrongSwan, "ecdsa", "rsa", null)]
    public void Certificates_authenticate_both_roles_and_traffic_flows(LabPkiTool tool, string petrelKey, string strongSwanKey, string? keyPassword)
    {
        // With a passphrase, petrel pki encrypts both keys and both configs open them with secrets.private-lab.
        var lab = fixture.Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, $"pki-{tool}".ToLowerInvariant()), tool, petrelKey);
        pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
        pki.Issue("labca", "left", LeftDn, ["left.petrel.test", lab.Left.OuterV4], keyType: strongSwanKey, password: keyPassword);
        pki.Issue("labca", "right", RightDn, ["right.petrel.test", lab.Right.OuterV4], keyType: petrelKey, password: keyPassword);
        var petrelAuth = new LabAuth("right.pem", RemoteId: LeftDn, KeyFile: "right.pem", KeyPassword: keyPassword);
        var strongSwanAuth = new LabAuth("left.pem", RemoteId: RightDn, KeyFile: "left.pem", KeyPassword: keyPassword);
        if (keyPassword is not null)
            Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", File.ReadAllText(Path.Combine(pki.Dir, "private", "right.pem")));
        var (petrel, strongswan) = fixture.Peers.Configure(
            LabConfig.For(lab.Right, lab.Left, Proposals, auth: petrelAuth), pki.Site("right", ["right"], ["labca"]),
            LabConfig.For(lab.Left, lab.Right, Proposals, auth: strongSwanAuth), pki.Site("left", ["left"], ["labca"]));
        try
        {
            // strongSwan initiates, Petrel responds.
            int mark = strongswan.Log().Length;
            strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            AssertUpWithIdentities(petrel, strongswan, petrelInitiated: false, petrelKey, mark);
            output.WriteLine($"{tool} pki, Petrel {petrelKey} / strongSwan {strongSwanKey}, strongSwan → Petrel: {TunnelTraffic.RunShort(lab)}");
            fixture.Peers.Clear(LabConfig.Connection);

            // Petrel initiates, strongSwan responds.
            mark = strongswan.Log().Length;
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            AssertUpWithIdentities(petrel, strongswan, petrelInitiated: true, petrelKey, mark);
            output.WriteLine($"{tool} pki, Petrel {petrelKey} / strongSwan {strongSwanKey}, Petrel → strongSwan: {TunnelTraffic.RunShort(lab)}");
            fixture.Peers.Clear(LabConfig.Connection);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    private static void AssertUpWithIdentities(PetrelPeer petrel, StrongSwanPeer strongswan, bool petrelInitiated, string petrelKey, int logMark)
    {
        TunnelTraffic.AssertStrongSwanUp(strongswan, Proposals);
        string sas = strongswan.ListSas();
        Assert.True(sas.Contains($"local  '{LeftDn}'", StringComparison.Ordinal) && sas.Contains($"remote '{RightDn}'", StringComparison.Ordinal), sas);
        var listing = petrel.ListSasOverSocket();
        var ike = listing.Find(LabConfig.Connection);
        Assert.True(ike is { State: "ESTABLISHED" } && ike.Children.Any(c => c.State == "INSTALLED"), "Petrel has no established IKE SA with an installed CHILD_SA:\n" + listing.Json);
        Assert.Equal(petrelInitiated, ike!.Initiator);
        Assert.Equal(RightDn, ike.Raw["local_id"]?.GetValue<string>());
        Assert.Equal(LeftDn, ike.Raw["remote_id"]?.GetValue<string>());
        // charon checked Petrel's certificate and its signature of the key type petrel pki / pki made.
        string log = strongswan.Log()[logMark..];
        string line = log.Split('\n').FirstOrDefault(l => l.Contains($"authentication of '{RightDn}' with ", StringComparison.Ordinal)) ?? "";
        Assert.True(line.Contains(" successful", StringComparison.Ordinal) && line.Contains(petrelKey == "rsa" ? "RSA" : "ECDSA", StringComparison.Ordinal),
            $"charon did not log a successful {petrelKey} authentication of Petrel:\n{(log.Length > 6000 ? "…" + log[^6000..] : log)}");
        Assert.Contains($"received end entity cert \"{RightDn}\"", log);
    }
}
