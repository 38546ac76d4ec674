using System.Text.RegularExpressions;
using Petrel.Tests.Harness;
using Petrel.Tests.Vici;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// strongSwan's swanctl drives a Petrel daemon in a namespace through its vici socket, against strongSwan
/// 5.9.8 as the peer: --initiate brings the tunnel up and traffic flows, --list-sas shows the SPIs strongSwan
/// has (mirrored), --terminate takes it down on both sides; and with strongSwan initiating, Petrel's
/// --monitor-sa sees the SA come up.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ViciInteropTests(ViciInteropLab fixture, ITestOutputHelper output) : IClassFixture<ViciInteropLab>
{
    private static string WithVici(string config, string socket) => config + $"\npetrel {{\n  vici = {socket}\n}}\n";

    [RootFact]
    public void Swanctl_initiates_through_petrels_vici_socket_traffic_flows_and_terminate_takes_it_down()
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.ByName("gcm128");
        string vici = Path.Combine(lab.Left.WorkDir, "petrel-charon.vici");
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        using var petrel = PetrelPeer.Start(lab, lab.Left, WithVici(LabConfig.For(lab.Left, lab.Right, proposals), vici));
        try
        {
            var up = Swanctl.Run(vici, null, "--initiate", "--ike", LabConfig.Connection, "--child", LabConfig.Child, "--timeout", "30");
            Assert.True(up.Succeeded, up.Describe());
            Assert.Contains("initiate completed successfully", up.StandardOutput);
            TunnelTraffic.AssertStrongSwanUp(strongswan, proposals);

            var transfer = TunnelTraffic.RunShort(lab);
            output.WriteLine(transfer.ToString());

            // The SPIs swanctl prints for Petrel are strongSwan's, mirrored: Petrel's in is strongSwan's out.
            string ours = Swanctl.Run(vici, null, "--list-sas").EnsureSuccess().StandardOutput;
            string theirs = strongswan.ListSas();
            output.WriteLine(ours);
            string spiIn = Regex.Match(ours, @"\n\s+in\s+([0-9a-f]{8}),").Groups[1].Value;
            string spiOut = Regex.Match(ours, @"\n\s+out\s+([0-9a-f]{8}),").Groups[1].Value;
            Assert.Matches(@"\n\s+out\s+" + spiIn + ",", theirs);
            Assert.Matches(@"\n\s+in\s+" + spiOut + ",", theirs);
            var bytesOut = Regex.Match(ours, @"out\s+[0-9a-f]{8},\s+(\d+) bytes");
            Assert.True(long.Parse(bytesOut.Groups[1].Value) >= transfer.BytesSent, ours);
            Assert.Contains(LabConfig.Connection + ": #", ours);
            Assert.Contains("ESTABLISHED, IKEv2", ours);

            var down = Swanctl.Run(vici, null, "--terminate", "--ike", LabConfig.Connection, "--timeout", "30");
            Assert.True(down.Succeeded, down.Describe());
            Assert.DoesNotContain("ESTABLISHED", strongswan.ListSas());
            Assert.DoesNotContain("ESTABLISHED", Swanctl.Run(vici, null, "--list-sas").EnsureSuccess().StandardOutput);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Monitor_sa_on_petrel_sees_the_sa_strongswan_initiates()
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.ByName("gcm128");
        string vici = Path.Combine(lab.Left.WorkDir, "petrel-charon.vici");
        using var petrel = PetrelPeer.Start(lab, lab.Left, WithVici(LabConfig.For(lab.Left, lab.Right, proposals), vici));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        try
        {
            using var monitor = new SwanctlListener(vici, "--monitor-sa");
            Thread.Sleep(3000); // swanctl registers for events once it has started (the daemon is another process: nothing to poll)
            var up = strongswan.Initiate(LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            TunnelTraffic.RunShort(lab);
            monitor.WaitForAsync(o => o.Contains("INSTALLED, TUNNEL", StringComparison.Ordinal), TimeSpan.FromSeconds(15)).GetAwaiter().GetResult();
            string seen = monitor.Stop();
            output.WriteLine(seen);
            // swanctl prints a child-updown event as it prints list-sas: the IKE SA line, then the CHILD_SA.
            Assert.Matches(LabConfig.Connection + @": #\d+, ESTABLISHED, IKEv2, [0-9a-f]{16}_i [0-9a-f]{16}_r\*", seen);
            Assert.Contains(LabConfig.Child + ": #", seen);
            Assert.Contains("INSTALLED, TUNNEL", seen);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
