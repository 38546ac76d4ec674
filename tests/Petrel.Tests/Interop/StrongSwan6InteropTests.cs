using System.Text.Json.Nodes;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel ⇄ strongSwan 6.0.1 (Debian 13 packages, run from a trixie root: <see cref="StrongSwan6Peer"/>), both roles,
/// plain and with RFC 9370 additional key exchanges (IKE_INTERMEDIATE in the IKE SA's setup, IKE_FOLLOWUP_KE in a
/// CHILD_SA rekey with PFS, and in an IKE SA rekey that charon starts), with traffic through the tunnel before and after
/// each rekey. charon's log and
/// `swanctl --list-sas` must show the additional exchange, Petrel's list-sas every key exchange it performed.
/// Debian's 6.0.1 has no ML-KEM (no "ml" plugin, OpenSSL's is not used for it), so the additional exchange here is a
/// classic group; <see cref="Debian_strongswan_6_refuses_ml_kem"/> pins what it refuses.
/// </summary>
[Trait("Category", "Interop")]
public sealed class StrongSwan6InteropTests(StrongSwan6Lab fixture, ITestOutputHelper output) : IClassFixture<StrongSwan6Lab>
{
    public static TheoryData<string, string, string[], bool> Cases => new()
    {
        // IKE proposal, ESP proposal (PFS for the rekey), key exchanges both sides must list, Petrel initiates
        { "aes256-sha256-x25519", "aes256gcm16-x25519", ["CURVE_25519"], true },
        { "aes256-sha256-x25519", "aes256gcm16-x25519", ["CURVE_25519"], false },
        { "aes256-sha256-x25519-ke1_ecp384", "aes256gcm16-x25519-ke1_ecp384", ["CURVE_25519", "KE1_ECP_384"], true },
        { "aes256-sha256-x25519-ke1_ecp384", "aes256gcm16-x25519-ke1_ecp384", ["CURVE_25519", "KE1_ECP_384"], false },
        { "aes128gcm16-prfsha256-ecp256-ke1_x25519-ke2_modp3072", "aes128gcm16-ecp256-ke1_x25519", ["ECP_256", "KE1_CURVE_25519", "KE2_MODP_3072"], true },
    };

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void Ikev2_with_strongswan_6_in_both_roles_with_traffic_and_a_child_rekey(string ike, string esp, string[] ikeKeyExchanges, bool petrelInitiates)
    {
        var lab = fixture.Lab;
        var pair = new ProposalPair(ike, esp, "");
        bool additional = ike.Contains("ke1_", StringComparison.Ordinal);
        using var charon = StrongSwan6Peer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, pair));
        if (StrongSwan6Peer.RootBuildSeconds > 0) output.WriteLine($"built the trixie root in {StrongSwan6Peer.RootBuildSeconds:0} s");
        // Petrel starts the CHILD_SA rekey itself when it initiated (rekey_time), else charon does (swanctl --rekey).
        var petrelConf = LabConfig.For(lab.Left, lab.Right, pair);
        if (petrelInitiates) petrelConf = petrelConf.Replace("        start_action = none\n", "        start_action = none\n        rekey_time = 20s\n        rand_time = 1s\n");
        using var petrel = PetrelPeer.Start(lab, lab.Left, petrelConf);
        try
        {
            if (petrelInitiates)
            {
                var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
                Assert.True(up.Succeeded, up.Describe());
            }
            else
            {
                charon.Swanctl("--initiate", "--child", LabConfig.Child, "--timeout", "20").EnsureSuccess();
            }
            var sas = charon.Swanctl("--list-sas").EnsureSuccess().StandardOutput;
            output.WriteLine(sas);
            Assert.Contains("ESTABLISHED, IKEv2", sas);
            Assert.Contains("INSTALLED, TUNNEL", sas);
            // swanctl prints the IKE SA's algorithms with every key exchange: ".../CURVE_25519/KE1_ECP_384".
            Assert.Contains("/" + string.Join('/', ikeKeyExchanges), sas);
            var ikeSa = WaitForPetrel(petrel, c => c is not null);
            Assert.Equal(petrelInitiates, ikeSa.Initiator);
            Assert.Equal(ikeKeyExchanges, Strings(ikeSa.Raw["key_exchanges"]));
            if (additional)
                Assert.Contains("IKE_INTERMEDIATE", charon.Log());
            output.WriteLine(TunnelTraffic.RunShort(lab).ToString());

            // CHILD_SA rekey with PFS: with ke1_ the new CHILD_SA's KEYMAT takes both secrets (IKE_FOLLOWUP_KE).
            var before = Assert.Single(ikeSa.Children).SpiIn;
            if (!petrelInitiates)
                charon.Swanctl("--rekey", "--child", LabConfig.Child).EnsureSuccess();
            var rekeyed = WaitForPetrel(petrel, c => c?.Children.Count == 1 && c.Children[0].SpiIn != before && c.Children[0].State == "INSTALLED", TimeSpan.FromSeconds(45));
            var childKes = Strings(rekeyed.Children[0].Raw["key_exchanges"]);
            output.WriteLine($"rekeyed CHILD_SA key exchanges: {string.Join(", ", childKes)}");
            string[] expectedChild = additional ? [EspMain(esp), "KE1_" + EspAdditional(esp)] : [EspMain(esp)];
            Assert.Equal(expectedChild, childKes);
            sas = charon.Swanctl("--list-sas").EnsureSuccess().StandardOutput;
            output.WriteLine(sas);
            Assert.Contains("/" + string.Join('/', expectedChild), sas);
            if (additional)
                Assert.Contains("IKE_FOLLOWUP_KE", charon.Log());
            output.WriteLine(TunnelTraffic.RunShort(lab, 256 * 1024).ToString());

            if (!petrelInitiates)
            {
                // IKE SA rekey started by charon: with ke1_ the new IKE SA is keyed after IKE_FOLLOWUP_KE (SK(0) | Ni | Nr | SK(1)).
                var oldSpi = ikeSa.Raw["initiator_spi"]!.GetValue<string>();
                charon.Swanctl("--rekey", "--ike", LabConfig.Connection).EnsureSuccess();
                var newIke = WaitForPetrel(petrel, c => c?.Raw["initiator_spi"]?.GetValue<string>() != oldSpi && c?.Children.Count == 1, TimeSpan.FromSeconds(30));
                Assert.Equal(ikeKeyExchanges, Strings(newIke.Raw["key_exchanges"]));
                sas = charon.Swanctl("--list-sas").EnsureSuccess().StandardOutput;
                output.WriteLine(sas);
                Assert.Contains("/" + string.Join('/', ikeKeyExchanges), sas);
                if (additional)
                    Assert.Contains("parsed IKE_FOLLOWUP_KE response", charon.Log()[charon.Log().LastIndexOf("CREATE_CHILD_SA", StringComparison.Ordinal)..]);
                // The moved CHILD_SA keeps working over the new IKE SA, and a DPD-style exchange on it succeeds.
                output.WriteLine(TunnelTraffic.RunShort(lab, 256 * 1024).ToString());
                charon.Swanctl("--rekey", "--child", LabConfig.Child).EnsureSuccess();
                Thread.Sleep(1000);
                output.WriteLine(TunnelTraffic.RunShort(lab, 128 * 1024).ToString());
            }
        }
        catch
        {
            output.WriteLine(charon.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Debian_strongswan_6_refuses_ml_kem()
    {
        var lab = fixture.Lab;
        var pair = new ProposalPair("aes256-sha256-x25519-ke1_mlkem768", "aes256gcm16", "");
        // swanctl 6.0.1 knows the keyword and loads the proposal; the build has no ML-KEM to perform it.
        using var charon = StrongSwan6Peer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, pair));
        Assert.DoesNotContain("ml", StrongSwan6Peer.AvailablePlugins());
        Assert.False(File.Exists(Path.Combine(StrongSwan6Peer.Root, "usr/lib/ipsec/plugins/libstrongswan-ml.so")));
        var version = charon.Swanctl("--version").EnsureSuccess().StandardOutput;
        output.WriteLine(version);
        Assert.Contains("6.0.1", version);
        var algs = charon.Swanctl("--list-algs").EnsureSuccess().StandardOutput;
        Assert.Contains("CURVE_25519", algs);
        Assert.DoesNotContain("ML_KEM", algs);

        using var petrel = PetrelPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, pair));
        var up = petrel.Up(LabConfig.Connection, LabConfig.Child, timeoutSeconds: 15);
        var log = charon.Log();
        output.WriteLine(up.Describe());
        output.WriteLine(log);
        // It selects the proposal in IKE_SA_INIT, then cannot create the key exchange in IKE_INTERMEDIATE.
        Assert.False(up.Succeeded);
        Assert.Contains("selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519/KE1_ML_KEM_768", log);
        Assert.Contains("negotiated key exchange method ML_KEM_768 not supported", log);
        Assert.Contains("KE1_ML_KEM_768 failed: peer answered INVALID_SYNTAX", up.StandardOutput + up.StandardError);
        Assert.DoesNotContain("ESTABLISHED", charon.Swanctl("--list-sas").StandardOutput);
    }

    private static PetrelSaListing.Ike WaitForPetrel(PetrelPeer petrel, Func<PetrelSaListing.Ike?, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        PetrelSaListing.Ike? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = petrel.ListSasOverSocket().Find(LabConfig.Connection);
            if (last is { State: "ESTABLISHED" } && done(last)) return last;
            Thread.Sleep(250);
        }
        throw new Xunit.Sdk.XunitException($"Petrel's SA did not reach the expected state; last: {last?.Raw.ToJsonString() ?? "none"}");
    }

    private static string[] Strings(JsonNode? node) => node is JsonArray a ? [.. a.Select(n => n!.GetValue<string>())] : [];

    private static string EspMain(string esp) => esp.Contains("-x25519", StringComparison.Ordinal) ? "CURVE_25519" : "ECP_256";

    private static string EspAdditional(string esp) => esp.Contains("ke1_ecp384", StringComparison.Ordinal) ? "ECP_384" : "CURVE_25519";
}
