using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// RFC 7383 against strongSwan: RSA certificates make IKE_AUTH about 2 KB; with Petrel's fragment_size and charon's
/// both at 576 bytes, each side splits its IKE_AUTH messages into SKF fragments and reassembles the other's, in both
/// roles (strongSwan initiates, then Petrel), and traffic passes through the tunnel. The logs on both sides show
/// the fragments: charon's "splitting IKE message" / "reassembled fragmented IKE message", Petrel's "split into" /
/// "reassembled from".
/// </summary>
[Trait("Category", "Interop")]
public sealed class FragmentationInteropTests(FragmentationInteropLab fixture, ITestOutputHelper output) : IClassFixture<FragmentationInteropLab>
{
    private const string LeftDn = "C=CH, O=Petrel Lab, CN=left.frag.test";
    private const string RightDn = "C=CH, O=Petrel Lab, CN=right.frag.test";
    private const int FragmentSize = 576;

    [RootFact]
    public void Ike_auth_is_fragmented_and_reassembled_both_ways_in_both_roles()
    {
        var lab = fixture.Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki"), LabPkiTool.Petrel, "rsa");
        pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
        pki.Issue("labca", "left", LeftDn, ["left.frag.test", lab.Left.OuterV4]);
        pki.Issue("labca", "right", RightDn, ["right.frag.test", lab.Right.OuterV4]);
        var proposals = ProposalPair.Gcm128;
        string petrelConf = LabConfig.For(lab.Right, lab.Left, proposals, auth: new LabAuth("right.pem", RemoteId: LeftDn, KeyFile: "right.pem"),
            extra: $"petrel {{\n  fragment_size = {FragmentSize}\n  log_level = debug\n}}");
        string strongSwanConf = LabConfig.For(lab.Left, lab.Right, proposals, auth: new LabAuth("left.pem", RemoteId: RightDn, KeyFile: "left.pem"));
        using var petrel = PetrelPeer.Start(lab, lab.Right, petrelConf, pki.Site("right", ["right"], ["labca"]));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, strongSwanConf, pki.Site("left", ["left"], ["labca"]), [$"fragment_size = {FragmentSize}"]);
        try
        {
            // strongSwan initiates: its IKE_AUTH request arrives in fragments, Petrel's response leaves in fragments.
            strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            TunnelTraffic.AssertStrongSwanUp(strongswan, proposals);
            TunnelTraffic.AssertPetrelUp(petrel, proposals);
            int requestFragments = Count(strongswan.Log(), "splitting IKE message");
            AssertLogs(petrel.Log(), strongswan.Log(), "IKE_AUTH request 1 reassembled from", "IKE_AUTH response 1 (");
            output.WriteLine($"strongSwan → Petrel: {TunnelTraffic.RunShort(lab)}");
            strongswan.Terminate(LabConfig.Connection);
            WaitForNoSas(petrel);

            // Petrel initiates: the other way round.
            int petrelMark = petrel.Log().Length, charonMark = strongswan.Log().Length;
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            TunnelTraffic.AssertStrongSwanUp(strongswan, proposals);
            AssertLogs(petrel.Log()[petrelMark..], strongswan.Log()[charonMark..], "IKE_AUTH response 1 reassembled from", "IKE_AUTH request 1 (");
            output.WriteLine($"Petrel → strongSwan: {TunnelTraffic.RunShort(lab)}");
            output.WriteLine($"charon split {requestFragments} message(s) in the first round; Petrel log lines: " +
                string.Join(" | ", petrel.Log().Split('\n').Where(l => l.Contains("fragments", StringComparison.Ordinal)).Select(l => l.Trim())));
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    /// <summary>Petrel reassembled what charon split, and charon reassembled what Petrel split.</summary>
    private static void AssertLogs(string petrelLog, string charonLog, string petrelReassembled, string petrelSplitPrefix)
    {
        Assert.True(petrelLog.Contains(petrelReassembled, StringComparison.Ordinal), $"Petrel did not log '{petrelReassembled}':\n{Tail(petrelLog)}");
        Assert.True(petrelLog.Split('\n').Any(l => l.Contains(petrelSplitPrefix, StringComparison.Ordinal) && l.Contains(" split into ", StringComparison.Ordinal)),
            $"Petrel did not split '{petrelSplitPrefix}…':\n{Tail(petrelLog)}");
        Assert.True(charonLog.Contains("splitting IKE message", StringComparison.Ordinal), $"charon did not fragment:\n{Tail(charonLog)}");
        Assert.True(charonLog.Contains("reassembled fragmented IKE message", StringComparison.Ordinal), $"charon did not reassemble:\n{Tail(charonLog)}");
    }

    private static int Count(string log, string what) => log.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));

    private static string Tail(string log) => log.Length > 6000 ? "…" + log[^6000..] : log;

    private static void WaitForNoSas(PetrelPeer petrel)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (petrel.ListSas().Sas.Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(200);
    }
}

/// <summary>The namespace pair of <see cref="FragmentationInteropTests"/>: Petrel right, charon left.</summary>
public sealed class FragmentationInteropLab : LabFixture
{
    protected override string Tag => "fr";
}
