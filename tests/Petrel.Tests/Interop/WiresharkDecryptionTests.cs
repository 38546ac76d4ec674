using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// `petrel export-keys --wireshark DIR` gives tshark what it needs to decrypt a capture of the
/// whole exchange: IKE_AUTH's encrypted payloads and the ESP-in-UDP carrying ICMP.
/// </summary>
[Trait("Category", "Interop")]
public sealed class WiresharkDecryptionTests(DecryptionLab fixture, ITestOutputHelper output) : IClassFixture<DecryptionLab>
{
    [RootTheory]
    [InlineData("cbc-hmac")]
    [InlineData("gcm128")]
    public void Exported_keys_let_tshark_decrypt_ike_auth_and_esp(string proposalName)
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.ByName(proposalName);
        using var petrel = PetrelPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, proposals));
        try
        {
            string pcap;
            using (var capture = PacketCapture.Start(lab, lab.Right, "decrypt-" + proposalName))
            {
                strongswan.Initiate(LabConfig.Child).EnsureSuccess();
                var ping = lab.Ping(lab.Left, lab.Right, count: 4);
                Assert.True(ping.Succeeded, ping.Describe());
                pcap = capture.Stop();
            }

            var keys = Path.Combine(lab.Right.WorkDir, "keys-" + proposalName);
            if (Directory.Exists(keys)) Directory.Delete(keys, true);
            Directory.CreateDirectory(keys);
            petrel.ExportKeys(keys).EnsureSuccess();
            Assert.True(WiresharkKeys.Rows(keys, "ikev2_decryption_table") >= 1, "no ikev2_decryption_table row exported");
            Assert.True(WiresharkKeys.Rows(keys, "esp_sa") >= 2, "expected an esp_sa row per direction");
            var options = WiresharkKeys.TsharkOptions(keys);

            // Without keys nothing inside is visible; with them, the ICMP inside ESP and the AUTH payloads are.
            Assert.Equal(0, Tshark.Count(pcap, "esp && icmp"));
            int icmp = Tshark.Count(pcap, "esp && icmp", options);
            int auth = Tshark.Count(pcap, "isakmp.exchangetype == 35 && isakmp.auth.data", options);
            int malformed = Tshark.Count(pcap, "_ws.malformed", options);
            output.WriteLine($"decrypted ICMP in ESP: {icmp}, IKE_AUTH with AUTH payload: {auth}, malformed: {malformed}");
            Assert.True(icmp >= 8, $"expected 4 echo requests + 4 replies decrypted, got {icmp}");
            Assert.True(auth >= 2, $"expected IKE_AUTH request and response decrypted, got {auth}");
            // The identities inside SK {IDi, IDr}: invisible without keys, "left" and "right" with them.
            Assert.DoesNotContain(Tshark.Fields(pcap, "isakmp.exchangetype == 35", ["isakmp.id.data.fqdn"]), row => row[0].Length > 0);
            var ids = Tshark.Fields(pcap, "isakmp.exchangetype == 35", ["isakmp.id.data.fqdn"], options)
                .SelectMany(row => row[0].Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
            Assert.True(ids.SetEquals(["left", "right"]), $"decrypted IKE_AUTH identities: [{string.Join(", ", ids)}]");
            Assert.Equal(0, malformed);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
