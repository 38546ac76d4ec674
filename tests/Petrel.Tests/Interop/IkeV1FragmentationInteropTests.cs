using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="IkeV1FragmentationInteropTests"/>.</summary>
public sealed class IkeV1FragmentationLab : LabFixture
{
    protected override string Tag => "vf";
}

/// <summary>
/// IKEv1 fragmentation against strongSwan 5.9.8, Petrel in both roles: Main Mode with RSA 4096 certificates, whose
/// messages 5 and 6 (CERT, SIG) are about 2 KB, with fragment_size = 576 on both sides. Both announce the FRAGMENTATION
/// vendor ID, charon logs splitting its message and reassembling Petrel's, Petrel logs the same the other way; the
/// capture of the handshake holds no IP fragment and no IKE datagram longer than 576 bytes. Then pings and 10 MB of TCP.
/// </summary>
[Trait("Category", "Interop")]
public sealed class IkeV1FragmentationInteropTests(IkeV1FragmentationLab fixture, ITestOutputHelper output) : IClassFixture<IkeV1FragmentationLab>
{
    private const int FragmentSize = 576;

    [RootTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Main_mode_with_rsa_4096_certificates_travels_in_fragments_both_ways(bool petrelInitiates)
    {
        var lab = fixture.Lab;
        var petrelSite = petrelInitiates ? lab.Left : lab.Right;
        var swSite = petrelInitiates ? lab.Right : lab.Left;
        var pki = new LabPki(Path.Combine(lab.WorkDir, $"pki-v1-frag-{petrelInitiates}".ToLowerInvariant()), LabPkiTool.Petrel, "rsa") { RsaBits = 4096 };
        pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
        pki.Issue("labca", "left", IkeV1ModesInteropTests.LeftDn, ["left.petrel.test"]);
        pki.Issue("labca", "right", IkeV1ModesInteropTests.RightDn, ["right.petrel.test"]);
        string petrelExtra = $"petrel {{\n  fragment_size = {FragmentSize}\n  log_level = debug\n}}\n";
        using var strongswan = StrongSwanPeer.Start(lab, swSite, IkeV1ModesInteropTests.Config(swSite, petrelSite, "rsa", false, strongSwan: true),
            pki.Site(swSite.Name, [swSite.Name], ["labca"]), [$"fragment_size = {FragmentSize}"]);
        using var petrel = PetrelPeer.Start(lab, petrelSite, IkeV1ModesInteropTests.Config(petrelSite, swSite, "rsa", false, strongSwan: false, petrelExtra),
            pki.Site(petrelSite.Name, [petrelSite.Name], ["labca"]));
        try
        {
            string pcap;
            using (var capture = PacketCapture.Start(lab, lab.Right, $"v1-frag-{petrelInitiates}", snapLength: 128))
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
                pcap = capture.Stop();
            }
            IkeV1InteropTests.AssertStrongSwanV1Up(strongswan, "ESP:AES_CBC-128/HMAC_SHA2_256_128");
            string charon = strongswan.Log(), ours = petrel.Log();
            foreach (var (log, line, who) in new[]
            {
                (charon, "splitting IKE message", "charon"), (charon, "reassembled fragmented IKE message", "charon"),
                (ours, "splitting IKE message", "Petrel"), (ours, "reassembled fragmented IKE message", "Petrel"),
            })
                Assert.True(log.Contains(line, StringComparison.Ordinal), $"{who} did not log '{line}':\n{Tail(log)}");
            Assert.True(charon.Contains("authentication of 'C=CH, O=Petrel Lab, CN=", StringComparison.Ordinal) && charon.Contains("with RSA_EMSA_PKCS1_NULL successful", StringComparison.Ordinal),
                $"charon did not verify Petrel's RSA signature:\n{Tail(charon)}");

            // No IP fragmentation was needed: every IKE datagram fits fragment_size.
            Assert.Equal(0, Tshark.Count(pcap, "ip.flags.mf == 1 or ip.frag_offset > 0"));
            var lengths = Tshark.Fields(pcap, "isakmp", ["ip.len"]).Select(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            output.WriteLine($"IKE datagrams: {lengths.Count}, longest {lengths.Max()} bytes");
            Assert.True(lengths.Count >= 8, $"only {lengths.Count} IKE datagrams captured");
            Assert.All(lengths, l => Assert.InRange(l, 1, FragmentSize));

            IkeV1InteropTests.Traffic(lab, $"v1-frag-{(petrelInitiates ? "pi" : "si")}", petrel, output);
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
