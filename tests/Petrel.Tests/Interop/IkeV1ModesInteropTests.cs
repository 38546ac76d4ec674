using System.Text;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="IkeV1ModesInteropTests"/>.</summary>
public sealed class IkeV1ModesLab : LabFixture
{
    protected override string Tag => "vm";
}

/// <summary>
/// IKEv1 Phase 1 beyond Main Mode with PSK, against strongSwan 5.9.8, Petrel in both roles: Main Mode with RSA
/// certificates (made by petrel pki) and with ECDSA P-256 certificates (made by strongSwan's pki), and Aggressive Mode
/// with PSK (strongSwan as responder needs its i_dont_care_about_security_and_use_aggressive_mode_psk) and with ECDSA
/// certificates. Each time: charon logs the mode and the successful signature or PSK check of Petrel, both sides list
/// the other's identity, then pings both ways and 10 MB of TCP (SHA-256 checked) pass through the tunnel.
/// </summary>
[Trait("Category", "Interop")]
public sealed class IkeV1ModesInteropTests(IkeV1ModesLab fixture, ITestOutputHelper output) : IClassFixture<IkeV1ModesLab>
{
    private const string Ike = "aes128-sha256-modp2048", Esp = "aes128-sha256", EspName = "ESP:AES_CBC-128/HMAC_SHA2_256_128";
    internal const string LeftDn = "C=CH, O=Petrel Lab, CN=left.petrel.test";
    internal const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";

    /// <summary>An IKEv1 connection `lab` with one child `net`; <paramref name="extra"/> is appended (a petrel { } section).</summary>
    internal static string Config(LabSite local, LabSite remote, string auth, bool aggressive, bool strongSwan, string extra = "")
    {
        bool certs = auth != "psk";
        var sb = new StringBuilder();
        sb.AppendLine("connections {");
        sb.AppendLine("  lab {");
        sb.AppendLine("    version = 1");
        sb.AppendLine($"    local_addrs = {local.OuterV4}");
        sb.AppendLine($"    remote_addrs = {remote.OuterV4}");
        if (strongSwan) sb.AppendLine("    encap = yes");
        if (aggressive) sb.AppendLine("    aggressive = yes");
        sb.AppendLine($"    proposals = {Ike}");
        sb.AppendLine("    dpd_delay = 0");
        string localDn = local.Name == "left" ? LeftDn : RightDn, remoteDn = remote.Name == "left" ? LeftDn : RightDn;
        sb.AppendLine("    local {");
        sb.AppendLine(certs ? $"      auth = pubkey\n      certs = {local.Name}.pem\n      id = \"{localDn}\"" : $"      auth = psk\n      id = {local.Id}");
        sb.AppendLine("    }");
        sb.AppendLine("    remote {");
        sb.AppendLine(certs ? $"      auth = pubkey\n      id = \"{remoteDn}\"" : $"      auth = psk\n      id = {remote.Id}");
        sb.AppendLine("    }");
        sb.AppendLine("    children {");
        sb.AppendLine($"      {LabConfig.Child} {{");
        sb.AppendLine("        mode = tunnel");
        sb.AppendLine($"        local_ts = {local.SubnetV4}");
        sb.AppendLine($"        remote_ts = {remote.SubnetV4}");
        sb.AppendLine($"        esp_proposals = {Esp}");
        sb.AppendLine("        start_action = none");
        sb.AppendLine("      }");
        sb.AppendLine("    }");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        if (!certs)
        {
            sb.AppendLine("secrets {");
            sb.AppendLine("  ike-lab {");
            sb.AppendLine("    id-1 = left");
            sb.AppendLine("    id-2 = right");
            sb.AppendLine($"    secret = \"{LabConfig.Psk}\"");
            sb.AppendLine("  }");
            sb.AppendLine("}");
        }
        sb.Append(extra);
        return sb.ToString();
    }

    [RootTheory]
    [InlineData("rsa", false, true)]
    [InlineData("rsa", false, false)]
    [InlineData("ecdsa", false, true)]
    [InlineData("ecdsa", false, false)]
    [InlineData("psk", true, true)]
    [InlineData("psk", true, false)]
    [InlineData("ecdsa", true, true)]
    [InlineData("ecdsa", true, false)]
    public void Phase1_authenticates_and_traffic_flows(string auth, bool aggressive, bool petrelInitiates)
    {
        var lab = fixture.Lab;
        var petrelSite = petrelInitiates ? lab.Left : lab.Right;
        var swSite = petrelInitiates ? lab.Right : lab.Left;
        string? petrelCreds = null, swCreds = null;
        if (auth != "psk")
        {
            var tool = auth == "rsa" ? LabPkiTool.Petrel : LabPkiTool.StrongSwan;
            var pki = new LabPki(Path.Combine(lab.WorkDir, $"pki-v1-{auth}-{aggressive}-{petrelInitiates}".ToLowerInvariant()), tool, auth);
            pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
            pki.Issue("labca", "left", LeftDn, ["left.petrel.test"]);
            pki.Issue("labca", "right", RightDn, ["right.petrel.test"]);
            petrelCreds = pki.Site(petrelSite.Name, [petrelSite.Name], ["labca"]);
            swCreds = pki.Site(swSite.Name, [swSite.Name], ["labca"]);
        }
        // charon answers Aggressive Mode with a PSK only with this setting (it initiates without it).
        string[] charon = aggressive && auth == "psk" ? ["i_dont_care_about_security_and_use_aggressive_mode_psk = yes"] : [];
        using var strongswan = StrongSwanPeer.Start(lab, swSite, Config(swSite, petrelSite, auth, aggressive, strongSwan: true), swCreds, charon);
        using var petrel = PetrelPeer.Start(lab, petrelSite, Config(petrelSite, swSite, auth, aggressive, strongSwan: false), petrelCreds);
        try
        {
            if (petrelInitiates)
            {
                var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
                Assert.True(up.Succeeded, up.Describe());
            }
            else
            {
                strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            }
            IkeV1InteropTests.AssertStrongSwanV1Up(strongswan, EspName);
            string log = strongswan.Log();
            string mode = aggressive ? "Aggressive Mode" : "Main Mode";
            Assert.True(log.Contains(petrelInitiates ? $"is initiating a {mode} IKE_SA" : $"initiating {mode} IKE_SA", StringComparison.Ordinal),
                $"charon did not log the {mode} exchange:\n{Tail(log)}");
            string petrelId = auth == "psk" ? petrelSite.Id : (petrelSite.Name == "left" ? LeftDn : RightDn);
            // charon logs the signature check; a PSK check it logs only as the SA established with Petrel's identity.
            string expected = auth switch
            {
                "rsa" => $"authentication of '{petrelId}' with RSA_EMSA_PKCS1_NULL successful",
                "ecdsa" => $"authentication of '{petrelId}' with ECDSA_WITH_NULL successful",
                _ => $"established between {swSite.OuterV4}[{swSite.Id}]...{petrelSite.OuterV4}[{petrelId}]",
            };
            Assert.True(log.Contains(expected, StringComparison.Ordinal), $"charon did not log '{expected}':\n{Tail(log)}");
            var ike = petrel.ListSas().Find(LabConfig.Connection)!;
            Assert.Equal(auth == "psk" ? swSite.Id : (swSite.Name == "left" ? LeftDn : RightDn), ike.Raw["remote_id"]?.GetValue<string>());
            IkeV1InteropTests.Traffic(lab, $"v1-{auth}-{(aggressive ? "am" : "mm")}-{(petrelInitiates ? "pi" : "si")}", petrel, output);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    private static string Tail(string log) => log.Length > 6000 ? "…" + log[^6000..] : log;
}
