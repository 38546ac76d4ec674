using System.Diagnostics;
using System.Text.Json.Nodes;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel (left) ⇄ strongSwan (right) in namespaces: DPD with dpd_delay = 1 s and short retransmissions
/// (petrel { retransmit_timeout = 0.5, retransmit_base = 1.5, retransmit_tries = 2 }: a silent peer is dead
/// 2.4 s after the check). strongSwan's charon is killed by its PID (SIGKILL, no DELETE): Petrel notices
/// in time and clears, restarts (once charon is back) or traps (and the next ping brings the tunnel back).
/// Also start_action = trap: no SA until a ping from the LAN, which triggers it and gets through.
/// </summary>
[Trait("Category", "Interop")]
public sealed class DeadPeerInteropTests(DeadPeerLab fixture, ITestOutputHelper output) : IClassFixture<DeadPeerLab>
{
    private const double DpdDelay = 1;
    private const double GiveUp = 0.5 + 0.75 + 1.125;
    // Idle for dpd_delay (up to twice when ESP was still counted at the first look), then the back-off, plus slack.
    private static readonly TimeSpan DetectWithin = TimeSpan.FromSeconds(2 * DpdDelay + GiveUp + 3);

    private const string PetrelSettings = "petrel {\n  retransmit_timeout = 0.5\n  retransmit_base = 1.5\n  retransmit_tries = 2\n}";

    private static string PetrelConfig(NamespacePair lab, string dpdAction, string startAction = "none") =>
        LabConfig.For(lab.Left, lab.Right, ProposalPair.ByName("gcm128"), startAction, PetrelSettings)
            .Replace("    dpd_delay = 0\n", $"    dpd_delay = {DpdDelay}s\n")
            .Replace($"        start_action = {startAction}\n", $"        start_action = {startAction}\n        dpd_action = {dpdAction}\n");

    private static string StrongSwanConfig(NamespacePair lab) => LabConfig.For(lab.Right, lab.Left, ProposalPair.ByName("gcm128"));

    private static bool Established(PetrelPeer p) =>
        p.ListSas().Find(LabConfig.Connection) is { State: "ESTABLISHED" } ike && ike.Children.Any(c => c.State == "INSTALLED");

    private static TimeSpan? WaitFor(Func<bool> condition, TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            if (condition()) return sw.Elapsed;
            Thread.Sleep(100);
        }
        return condition() ? sw.Elapsed : null;
    }

    /// <summary>Brings the tunnel up from Petrel, checks a ping, kills charon and returns how long Petrel took to notice.</summary>
    private TimeSpan UpThenKill(NamespacePair lab, PetrelPeer petrel, StrongSwanPeer strongswan, Func<bool> detected)
    {
        var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
        Assert.True(up.Succeeded, up.Describe());
        Assert.True(lab.Ping(lab.Left, lab.Right, count: 2).Succeeded);
        strongswan.Kill();
        Assert.True(strongswan.HasExited);
        var took = WaitFor(detected, DetectWithin + TimeSpan.FromSeconds(10));
        Assert.True(took is not null, "Petrel did not notice the dead peer");
        output.WriteLine($"dead peer noticed after {took!.Value.TotalSeconds:0.0} s (limit {DetectWithin.TotalSeconds:0.0} s)");
        Assert.True(took <= DetectWithin, $"noticed after {took.Value.TotalSeconds:0.0} s, more than {DetectWithin.TotalSeconds:0.0} s");
        return took.Value;
    }

    [RootFact]
    public void Dpd_action_clear_empties_list_sas_when_charon_is_killed()
    {
        var lab = fixture.Lab;
        var strongswan = StrongSwanPeer.Start(lab, lab.Right, StrongSwanConfig(lab));
        using var petrel = PetrelPeer.Start(lab, lab.Left, PetrelConfig(lab, "clear"));
        try
        {
            UpThenKill(lab, petrel, strongswan, () => petrel.ListSas().Sas.Count == 0);
            Assert.Empty(petrel.ListSas().Sas);
            Assert.Equal("[]", JsonNode.Parse(petrel.Cli("list-pols", "--json").EnsureSuccess().StandardOutput)!.ToJsonString());
            Assert.Contains("giving up after 2 retransmits of Informational", petrel.Log());
        }
        catch
        {
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
        finally
        {
            strongswan.Dispose();
        }
    }

    [RootFact]
    public void Dpd_action_restart_reconnects_once_charon_is_back_and_traffic_flows()
    {
        var lab = fixture.Lab;
        var strongswan = StrongSwanPeer.Start(lab, lab.Right, StrongSwanConfig(lab));
        using var petrel = PetrelPeer.Start(lab, lab.Left, PetrelConfig(lab, "restart"));
        try
        {
            string firstSpi = petrel.ListSas().Sas.FirstOrDefault()?.Raw["initiator_spi"]?.ToString() ?? "";
            UpThenKill(lab, petrel, strongswan, () => petrel.Log().Contains("dpd_action = restart: re-initiating"));
            strongswan.Dispose();
            strongswan = StrongSwanPeer.Start(lab, lab.Right, StrongSwanConfig(lab));
            var back = WaitFor(() => Established(petrel), TimeSpan.FromSeconds(20));
            Assert.True(back is not null, "Petrel did not reconnect");
            output.WriteLine($"reconnected {back!.Value.TotalSeconds:0.0} s after charon was started again");
            var ping = lab.Ping(lab.Left, lab.Right, count: 3);
            Assert.True(ping.Succeeded, ping.Describe());
            Assert.Contains("3 received", ping.StandardOutput);
            Assert.Contains("ESTABLISHED", strongswan.ListSas());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
        finally
        {
            strongswan.Dispose();
        }
    }

    [RootFact]
    public void Dpd_action_trap_reconnects_when_a_ping_appears_and_the_ping_gets_through()
    {
        var lab = fixture.Lab;
        var strongswan = StrongSwanPeer.Start(lab, lab.Right, StrongSwanConfig(lab));
        using var petrel = PetrelPeer.Start(lab, lab.Left, PetrelConfig(lab, "trap"));
        try
        {
            UpThenKill(lab, petrel, strongswan, () => petrel.ListSas().Sas.Count == 0);
            var pols = JsonNode.Parse(petrel.Cli("list-pols", "--json").EnsureSuccess().StandardOutput)!.AsArray();
            var pol = Assert.Single(pols)!;
            Assert.Equal("trap", (string?)pol["state"]);
            Assert.True((bool)pol["temporary"]!);

            strongswan.Dispose();
            strongswan = StrongSwanPeer.Start(lab, lab.Right, StrongSwanConfig(lab));
            // Nothing reconnects by itself …
            Assert.Empty(petrel.ListSas().Sas);
            // … until traffic hits the trap: the first ping is held and delivered once the CHILD_SA is up.
            var ping = lab.Ping(lab.Left, lab.Right, count: 3);
            output.WriteLine(ping.StandardOutput);
            Assert.True(ping.Succeeded, ping.Describe());
            Assert.Contains("icmp_seq=1 ", ping.StandardOutput);
            Assert.True(Established(petrel));
            Assert.Contains("ESTABLISHED", strongswan.ListSas());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
        finally
        {
            strongswan.Dispose();
        }
    }

    [RootFact]
    public void Start_action_trap_negotiates_on_the_first_ping_and_delivers_it()
    {
        var lab = fixture.Lab;
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, StrongSwanConfig(lab));
        using var petrel = PetrelPeer.Start(lab, lab.Left, PetrelConfig(lab, "clear", startAction: "trap"));
        try
        {
            Assert.Empty(petrel.ListSas().Sas);
            var listed = petrel.Cli("list-pols").EnsureSuccess().StandardOutput;
            output.WriteLine(listed);
            Assert.Contains("lab/net", listed);
            Assert.Contains("TRAP", listed);

            var ping = lab.Ping(lab.Left, lab.Right, count: 3);
            output.WriteLine(ping.StandardOutput);
            Assert.True(ping.Succeeded, ping.Describe());
            Assert.Contains("icmp_seq=1 ", ping.StandardOutput);
            Assert.True(Established(petrel));
            Assert.Contains("ESTABLISHED", strongswan.ListSas());
            Assert.Contains("ACTIVE", petrel.Cli("list-pols").EnsureSuccess().StandardOutput);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
