using System.Text;
using System.Text.Json.Nodes;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Several authentication rounds (RFC 4739) between Petrel (right) and strongSwan 5.9.8 (left), both written as
/// swanctl.conf writes them: the client has local-1 and local-2, the gateway remote-1 and remote-2. A certificate
/// (made by <c>petrel pki</c>) and then EAP-MSCHAPv2, and a PSK and then EAP-MD5, in both roles. Each time both sides
/// are up, Petrel's list-sas shows both rounds with the EAP identity, and pings and 1 MB of TCP pass through the tunnel.
/// A wrong password in the second round is refused by Petrel with the reason in its log.
/// </summary>
[Trait("Category", "Interop")]
public sealed class AuthRoundsInteropTests(AuthRoundsInteropLab fixture, ITestOutputHelper output) : IClassFixture<AuthRoundsInteropLab>
{
    private const string LeftDn = "C=CH, O=Petrel Lab, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";
    private const string Password = "carol's second-round password";
    private const string Psk = "the first round's pre-shared key";
    private static readonly ProposalPair Proposals = ProposalPair.Gcm128;

    private LabPki Pki()
    {
        var lab = fixture.Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki-rounds"), LabPkiTool.Petrel, "ecdsa");
        if (!File.Exists(Path.Combine(pki.Dir, "x509ca", "labca.pem")))
        {
            pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
            pki.Issue("labca", "left", LeftDn, ["left.petrel.test", lab.Left.OuterV4]);
            pki.Issue("labca", "right", RightDn, ["right.petrel.test", lab.Right.OuterV4]);
        }
        return pki;
    }

    /// <summary>One round section: name, then key = value lines.</summary>
    private sealed record Round(string Section, params string[] Lines);

    private static string Conf(LabSite local, LabSite remote, Round[] rounds, string password = Password)
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
        foreach (var r in rounds)
        {
            sb.AppendLine($"    {r.Section} {{");
            foreach (string line in r.Lines) sb.AppendLine($"      {line}");
            sb.AppendLine("    }");
        }
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
        sb.AppendLine("  ike-rounds {");
        sb.AppendLine("    id-1 = left.petrel.test");
        sb.AppendLine("    id-2 = right.petrel.test");
        sb.AppendLine($"    secret = \"{Psk}\"");
        sb.AppendLine("  }");
        sb.AppendLine("  eap-carol {");
        sb.AppendLine("    id = carol");
        sb.AppendLine($"    secret = \"{password}\"");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>A site's credentials: its certificate file, the certificate's DN, and the FQDN it uses with the PSK.</summary>
    private sealed record Side(string Cert, string Dn, string Fqdn);

    private static readonly Side LeftSide = new("left.pem", LeftDn, "left.petrel.test"), RightSide = new("right.pem", RightDn, "right.petrel.test");

    /// <summary>The client's rounds: first a certificate or PSK, then EAP with the EAP identity carol.</summary>
    private static Round[] Client(string first, string eap, Side me, Side gateway) => first == "pubkey"
        ? [new("local-1", "auth = pubkey", $"certs = {me.Cert}", $"id = \"{me.Dn}\""), new("local-2", $"auth = {eap}", "eap_id = carol"), new("remote", "auth = pubkey", $"id = \"{gateway.Dn}\"")]
        : [new("local-1", "auth = psk", $"id = {me.Fqdn}"), new("local-2", $"auth = {eap}", "eap_id = carol"), new("remote", "auth = psk", $"id = {gateway.Fqdn}")];

    /// <summary>The gateway's: its own certificate or PSK, and the two rounds it requires; it asks for the EAP identity.</summary>
    private static Round[] Gateway(string first, string eap, Side me, Side client) => first == "pubkey"
        ? [new("local", "auth = pubkey", $"certs = {me.Cert}"), new("remote-1", "auth = pubkey", $"id = \"{client.Dn}\""), new("remote-2", $"auth = {eap}", "eap_id = %any")]
        : [new("local", "auth = psk", $"id = {me.Fqdn}"), new("remote-1", "auth = psk", $"id = {client.Fqdn}"), new("remote-2", $"auth = {eap}", "eap_id = %any")];

    public static TheoryData<string, string> Cases => new()
    {
        { "pubkey", "eap-mschapv2" },
        { "psk", "eap-md5" },
    };

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void StrongSwan_client_authenticates_to_Petrel_in_two_rounds(string first, string eap)
    {
        var lab = fixture.Lab;
        var pki = Pki();
        var (petrel, strongswan) = fixture.Peers.Configure(Conf(lab.Right, lab.Left, Gateway(first, eap, RightSide, LeftSide)), pki.Site("right", first == "pubkey" ? ["right"] : [], ["labca"]),
            Conf(lab.Left, lab.Right, Client(first, eap, LeftSide, RightSide)), pki.Site("left", first == "pubkey" ? ["left"] : [], ["labca"]));
        try
        {
            strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            var ike = AssertUp(petrel, strongswan, petrelInitiated: false);
            string log = petrel.Log();
            Assert.Contains("authentication round 1 of 2 of", log);
            Assert.Contains($"authentication round 2 of 2 (remote-2, auth = {eap}) of", log);
            Assert.Contains($"{(eap == "eap-md5" ? "EAP-MD5" : "EAP-MSCHAPv2")} authentication of 'carol' successful", log);
            AssertRounds(ike, "remote", first, first == "pubkey" ? LeftDn : "left.petrel.test", eap);
            Assert.Contains(eap == "eap-md5" ? "EAP method EAP_MD5 succeeded, no MSK established" : "EAP method EAP_MSCHAPV2 succeeded, MSK established", strongswan.Log());
            output.WriteLine($"strongSwan → Petrel {first} + {eap}: {TunnelTraffic.RunShort(lab)}");
            AssertListed(petrel, "remote", eap);
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
    public void Petrel_client_authenticates_to_strongSwan_in_two_rounds(string first, string eap)
    {
        var lab = fixture.Lab;
        var pki = Pki();
        var (petrel, strongswan) = fixture.Peers.Configure(Conf(lab.Right, lab.Left, Client(first, eap, RightSide, LeftSide)), pki.Site("right", first == "pubkey" ? ["right"] : [], ["labca"]),
            Conf(lab.Left, lab.Right, Gateway(first, eap, LeftSide, RightSide)), pki.Site("left", first == "pubkey" ? ["left"] : [], ["labca"]));
        try
        {
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            var ike = AssertUp(petrel, strongswan, petrelInitiated: true);
            Assert.Contains($"authentication round 2 of 2 (local-2, auth = {eap}) as", petrel.Log());
            AssertRounds(ike, "local", first, first == "pubkey" ? LeftDn : "left.petrel.test", eap);
            string log = strongswan.Log();
            Assert.Contains(eap == "eap-md5" ? "EAP method EAP_MD5 succeeded, no MSK established" : "EAP method EAP_MSCHAPV2 succeeded, MSK established", log);
            Assert.Contains("received EAP identity 'carol'", log);
            Assert.Contains("with EAP successful", log);
            output.WriteLine($"Petrel → strongSwan {first} + {eap}: {TunnelTraffic.RunShort(lab)}");
            AssertListed(petrel, "local", eap);
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
    public void Petrel_refuses_a_wrong_password_in_the_second_round_with_the_reason_in_its_log()
    {
        var lab = fixture.Lab;
        var pki = Pki();
        var (petrel, strongswan) = fixture.Peers.Configure(Conf(lab.Right, lab.Left, Gateway("pubkey", "eap-mschapv2", RightSide, LeftSide)), pki.Site("right", ["right"], ["labca"]),
            Conf(lab.Left, lab.Right, Client("pubkey", "eap-mschapv2", LeftSide, RightSide), password: "not the password"), pki.Site("left", ["left"], ["labca"]));
        try
        {
            var result = strongswan.Initiate(LabConfig.Child);
            Assert.False(result.ExitCode == 0, "strongSwan's initiate succeeded with a wrong password");
            const string reason = "EAP-MSCHAPv2 authentication of 'carol' in authentication round 2 of 2 (remote-2) failed: EAP-MSCHAPv2 verification of 'carol' failed (wrong password)";
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!petrel.Log().Contains(reason) && DateTime.UtcNow < deadline) Thread.Sleep(200);
            Assert.Contains(reason, petrel.Log());
            Assert.Contains("EAP-MSCHAPv2 verification of 'carol' failed (wrong password)", petrel.Log());
            Assert.Null(petrel.ListSasOverSocket().Find(LabConfig.Connection));
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

    private static PetrelSaListing.Ike AssertUp(PetrelPeer petrel, StrongSwanPeer strongswan, bool petrelInitiated)
    {
        TunnelTraffic.AssertStrongSwanUp(strongswan, Proposals);
        var listing = petrel.ListSasOverSocket();
        var ike = listing.Find(LabConfig.Connection);
        Assert.True(ike is { State: "ESTABLISHED" } && ike.Children.Any(c => c.State == "INSTALLED"), "Petrel has no established IKE SA with an installed CHILD_SA:\n" + listing.Json);
        Assert.Equal(petrelInitiated, ike!.Initiator);
        Assert.Equal("carol", ike.Raw[petrelInitiated ? "local_eap_id" : "remote_eap_id"]?.GetValue<string>());
        return ike;
    }

    /// <summary>`petrel list-sas` prints one line per round of the side that authenticated twice.</summary>
    private void AssertListed(PetrelPeer petrel, string side, string eap)
    {
        var text = petrel.Cli("list-sas");
        text.EnsureSuccess();
        output.WriteLine(text.StandardOutput);
        Assert.Contains($"  {side} round 1: ", text.StandardOutput);
        Assert.Contains($"  {side} round 2: {eap} '", text.StandardOutput);
        Assert.Contains("(EAP identity 'carol')", text.StandardOutput);
    }

    /// <summary>list-sas JSON: the side that authenticated twice has round 1 (certificate or PSK) and round 2 (EAP as carol).</summary>
    private static void AssertRounds(PetrelSaListing.Ike ike, string side, string first, string peerFirstId, string eap)
    {
        var rounds = (ike.Raw["auth_rounds"] as JsonArray)!.OfType<JsonObject>().ToList();
        var twice = rounds.Where(r => r["side"]!.GetValue<string>() == side).OrderBy(r => r["round"]!.GetValue<int>()).ToList();
        Assert.Equal(2, twice.Count);
        Assert.Equal(first, twice[0]["auth"]!.GetValue<string>());
        Assert.Equal(eap, twice[1]["auth"]!.GetValue<string>());
        Assert.Equal("carol", twice[1]["eap_id"]!.GetValue<string>());
        if (side == "remote")
            Assert.Equal(first == "pubkey" ? LeftDn : "left.petrel.test", twice[0]["id"]!.GetValue<string>());
        else
            Assert.Equal(peerFirstId, rounds.Single(r => r["side"]!.GetValue<string>() == "remote")["id"]!.GetValue<string>());
    }
}
