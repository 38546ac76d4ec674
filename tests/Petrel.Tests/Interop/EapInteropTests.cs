using System.Text;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// IKEv2 EAP (RFC 7296 §2.16) between Petrel (right) and strongSwan 5.9.8 (left), in both roles: the client
/// authenticates with EAP-MD5, EAP-MSCHAPv2 or EAP-TLS, the gateway with its certificate (made by <c>petrel pki</c>), or
/// EAP-only (RFC 5998) with EAP-TLS where the gateway is only verified by its TLS certificate. Each time both sides
/// are up with the client's EAP identity, and pings and 1 MB of TCP pass through the tunnel. A wrong password is
/// refused by Petrel with the reason in its log.
/// </summary>
[Trait("Category", "Interop")]
public sealed class EapInteropTests(EapInteropLab fixture, ITestOutputHelper output) : IClassFixture<EapInteropLab>
{
    private const string LeftDn = "C=CH, O=Petrel Lab, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";
    private const string Password = "carol's EAP password";
    private static readonly ProposalPair Proposals = ProposalPair.Gcm128;

    private LabPki Pki()
    {
        var lab = fixture.Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki-eap"), LabPkiTool.Petrel, "ecdsa");
        if (!File.Exists(Path.Combine(pki.Dir, "x509ca", "labca.pem")))
        {
            pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
            pki.Issue("labca", "left", LeftDn, ["left.petrel.test", lab.Left.OuterV4]);
            pki.Issue("labca", "right", RightDn, ["right.petrel.test", lab.Right.OuterV4]);
        }
        return pki;
    }

    /// <summary>One connection "lab": the client side (local auth = EAP) or the gateway side (remote auth = EAP).</summary>
    private static string Conf(LabSite local, LabSite remote, string localAuth, string remoteAuth, string? localId, string? remoteId,
        string? localCert, string? remoteEapId = null, string password = Password)
    {
        var sb = new StringBuilder();
        sb.AppendLine("connections {");
        sb.AppendLine("  lab {");
        sb.AppendLine("    version = 2");
        sb.AppendLine($"    local_addrs = {local.OuterV4}");
        sb.AppendLine($"    remote_addrs = {remote.OuterV4}");
        sb.AppendLine("    encap = yes");
        sb.AppendLine($"    proposals = {Proposals.Ike}");
        sb.AppendLine("    dpd_delay = 0");
        sb.AppendLine("    local {");
        sb.AppendLine($"      auth = {localAuth}");
        if (localId is not null) sb.AppendLine($"      id = \"{localId}\"");
        if (localCert is not null) sb.AppendLine($"      certs = {localCert}");
        sb.AppendLine("    }");
        sb.AppendLine("    remote {");
        sb.AppendLine($"      auth = {remoteAuth}");
        if (remoteId is not null) sb.AppendLine($"      id = \"{remoteId}\"");
        if (remoteEapId is not null) sb.AppendLine($"      eap_id = {remoteEapId}");
        sb.AppendLine("    }");
        sb.AppendLine("    children {");
        sb.AppendLine($"      {LabConfig.Child} {{");
        sb.AppendLine($"        local_ts = {local.SubnetV4},{local.SubnetV6}");
        sb.AppendLine($"        remote_ts = {remote.SubnetV4},{remote.SubnetV6}");
        sb.AppendLine($"        esp_proposals = {Proposals.Esp}");
        sb.AppendLine("      }");
        sb.AppendLine("    }");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        sb.AppendLine("secrets {");
        sb.AppendLine("  eap-carol {");
        sb.AppendLine("    id = carol");
        sb.AppendLine($"    secret = \"{password}\"");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    public static TheoryData<string, bool> Cases => new()
    {
        // method, EAP-only (the gateway authenticates by EAP-TLS alone)
        { "eap-md5", false },
        { "eap-mschapv2", false },
        { "eap-tls", false },
        { "eap-tls", true },
    };

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void StrongSwan_client_authenticates_to_Petrel_with_eap(string method, bool eapOnly)
    {
        var lab = fixture.Lab;
        var pki = Pki();
        bool tls = method == "eap-tls";
        // Petrel is the gateway: its certificate (or EAP-only), the client's EAP identity asked for with eap_id = %any.
        string petrelConf = Conf(lab.Right, lab.Left, eapOnly ? method : "pubkey", method, null, null, "right.pem", remoteEapId: tls ? null : "%any");
        string strongSwanConf = Conf(lab.Left, lab.Right, method, eapOnly ? method : "pubkey", tls ? null : "carol", RightDn, tls ? "left.pem" : null);
        var (petrel, strongswan) = fixture.Peers.Configure(petrelConf, pki.Site("right", ["right"], ["labca"]),
            strongSwanConf, pki.Site("left", tls ? ["left"] : [], ["labca"]));
        try
        {
            strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            string identity = tls ? LeftDn : "carol";
            AssertUp(petrel, strongswan, petrelInitiated: false, identity);
            Assert.Contains($"{PetrelName(method)} authentication of '{identity}' successful", petrel.Log());
            if (eapOnly) Assert.Contains("EAP-only (RFC 5998)", petrel.Log());
            Assert.Contains(StrongSwanSuccess(method), strongswan.Log());
            output.WriteLine($"strongSwan → Petrel {method}{(eapOnly ? " EAP-only" : "")}: {TunnelTraffic.RunShort(lab)}");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
        finally
        {
            fixture.Peers.Clear(LabConfig.Connection);
        }
    }

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void Petrel_client_authenticates_to_strongSwan_with_eap(string method, bool eapOnly)
    {
        var lab = fixture.Lab;
        var pki = Pki();
        bool tls = method == "eap-tls";
        string strongSwanConf = Conf(lab.Left, lab.Right, eapOnly ? method : "pubkey", method, null, null, "left.pem", remoteEapId: tls ? null : "%any");
        string petrelConf = Conf(lab.Right, lab.Left, method, eapOnly ? method : "pubkey", tls ? null : "carol", LeftDn, tls ? "right.pem" : null);
        var (petrel, strongswan) = fixture.Peers.Configure(petrelConf, pki.Site("right", tls ? ["right"] : [], ["labca"]),
            strongSwanConf, pki.Site("left", ["left"], ["labca"]));
        try
        {
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            string identity = tls ? RightDn : "carol";
            AssertUp(petrel, strongswan, petrelInitiated: true, identity);
            Assert.Contains(StrongSwanSuccess(method), strongswan.Log());
            output.WriteLine($"Petrel → strongSwan {method}{(eapOnly ? " EAP-only" : "")}: {TunnelTraffic.RunShort(lab)}");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
        finally
        {
            fixture.Peers.Clear(LabConfig.Connection);
        }
    }

    [RootFact]
    public void Petrel_refuses_a_wrong_mschapv2_password_with_the_reason_in_its_log()
    {
        var lab = fixture.Lab;
        var pki = Pki();
        string petrelConf = Conf(lab.Right, lab.Left, "pubkey", "eap-mschapv2", null, null, "right.pem", remoteEapId: "%any");
        string strongSwanConf = Conf(lab.Left, lab.Right, "eap-mschapv2", "pubkey", "carol", RightDn, null, password: "not the password");
        var (petrel, strongswan) = fixture.Peers.Configure(petrelConf, pki.Site("right", ["right"], ["labca"]),
            strongSwanConf, pki.Site("left", [], ["labca"]));
        try
        {
            var result = strongswan.Initiate(LabConfig.Child);
            Assert.False(result.ExitCode == 0, "strongSwan's initiate succeeded with a wrong password");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!petrel.Log().Contains("EAP-MSCHAPv2 verification of 'carol' failed (wrong password)") && DateTime.UtcNow < deadline) Thread.Sleep(200);
            Assert.Contains("EAP-MSCHAPv2 verification of 'carol' failed (wrong password)", petrel.Log());
            Assert.Null(petrel.ListSasOverSocket().Find(LabConfig.Connection));
            // charon, the client, learns why from the MS-CHAPv2 Failure request (E=691) and the EAP-Failure.
            Assert.Contains("EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE", strongswan.Log());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
        finally
        {
            fixture.Peers.Clear(LabConfig.Connection);
        }
    }

    /// <summary>Petrel's name of the method in its log.</summary>
    private static string PetrelName(string method) => method switch
    {
        "eap-md5" => "EAP-MD5",
        "eap-tls" => "EAP-TLS",
        _ => "EAP-MSCHAPv2",
    };

    /// <summary>charon's line for the method's success (EAP-MD5 makes no MSK, RFC 3748 §5.4).</summary>
    private static string StrongSwanSuccess(string method) => method switch
    {
        "eap-md5" => "EAP method EAP_MD5 succeeded, no MSK established",
        "eap-tls" => "EAP method EAP_TLS succeeded, MSK established",
        _ => "EAP method EAP_MSCHAPV2 succeeded, MSK established",
    };

    private static void AssertUp(PetrelPeer petrel, StrongSwanPeer strongswan, bool petrelInitiated, string eapIdentity)
    {
        TunnelTraffic.AssertStrongSwanUp(strongswan, Proposals);
        var listing = petrel.ListSasOverSocket();
        var ike = listing.Find(LabConfig.Connection);
        Assert.True(ike is { State: "ESTABLISHED" } && ike.Children.Any(c => c.State == "INSTALLED"), "Petrel has no established IKE SA with an installed CHILD_SA:\n" + listing.Json);
        Assert.Equal(petrelInitiated, ike!.Initiator);
        Assert.Equal(eapIdentity, ike.Raw[petrelInitiated ? "local_eap_id" : "remote_eap_id"]?.GetValue<string>());
    }
}
