using System.Diagnostics;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// IKEv1 around the exchanges, against strongSwan 5.9.8: Quick Mode rekeys (make before break) started by each side
/// under a 5/s ping with no reply lost, DPD R-U-THERE answered both ways once idle (dpd_delay 3 s, the SA stays), and
/// Informational deletes from each side clearing the other.
/// </summary>
[Trait("Category", "Interop")]
public sealed class IkeV1LifecycleInteropTests(IkeV1LifecycleLab fixture, ITestOutputHelper output) : IClassFixture<IkeV1LifecycleLab>
{
    private const string Ike = "aes128-sha256-modp2048", Esp = "aes128-sha256";
    private const string Dpd = "    dpd_delay = 3s\n    dpd_timeout = 30s";

    private (int Sent, int Received) PingFor(NamespacePair lab, TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        int sent = 0, received = 0;
        while (sw.Elapsed < duration)
        {
            var p = lab.Ping(lab.Left, lab.Right, count: 5);
            sent += 5;
            if (p.Succeeded) received += 5 - CountLost(p.StandardOutput);
        }
        return (sent, received);
    }

    private static int CountLost(string ping)
    {
        // "5 packets transmitted, 5 received"
        var m = System.Text.RegularExpressions.Regex.Match(ping, @"(\d+) packets transmitted, (\d+) received");
        return m.Success ? int.Parse(m.Groups[1].Value) - int.Parse(m.Groups[2].Value) : 5;
    }

    [RootTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Quick_mode_rekey_dpd_and_delete_work_with_either_side_driving(bool petrelInitiates)
    {
        var lab = fixture.Lab;
        var petrelSite = petrelInitiates ? lab.Left : lab.Right;
        var swSite = petrelInitiates ? lab.Right : lab.Left;
        // The side that initiates rekeys its CHILD_SA after 12 s; the other keeps the default hour.
        string fast = "        rekey_time = 12s\n        life_time = 40s\n        rand_time = 0s";
        using var strongswan = StrongSwanPeer.Start(lab, swSite, IkeV1InteropLab.Config(swSite, petrelSite, Ike, Esp, strongSwan: true, Dpd, petrelInitiates ? "" : fast));
        using var petrel = PetrelPeer.Start(lab, petrelSite, IkeV1InteropLab.Config(petrelSite, swSite, Ike, Esp, strongSwan: false, Dpd, petrelInitiates ? fast : ""));
        try
        {
            if (petrelInitiates) Assert.True(petrel.Up(LabConfig.Connection, LabConfig.Child).Succeeded);
            else strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            string before = petrel.ListSas().Find(LabConfig.Connection)!.Children.Single().SpiIn;
            var (sent, received) = PingFor(lab, TimeSpan.FromSeconds(20));
            var children = petrel.ListSas().Find(LabConfig.Connection)!.Children;
            output.WriteLine($"pings {received}/{sent}; Petrel inbound SPI before {before}, now {string.Join(", ", children.Select(c => $"{c.SpiIn} {c.State} {c.PacketsIn} packets"))}");
            // Make before break in both directions: whoever rekeys, no ping is lost (Petrel sends on the old SA for
            // 1 s after message 3, and a deleted SA's inbound half lingers for packets in flight).
            Assert.Equal(0, sent - received);
            // The new SA carries traffic; the initiator of the rekey deleted the old one (strongSwan keeps its old
            // IKEv1 SA until it expires, so with strongSwan rekeying Petrel still lists it, idle).
            Assert.Contains(children, c => c.SpiIn != before && c.State == "INSTALLED" && c.PacketsIn > 0);
            if (petrelInitiates) Assert.Single(children);
            // DPD: 8 s without traffic (dpd_delay 3 s): strongSwan asks and Petrel answers, and the other way round.
            Thread.Sleep(TimeSpan.FromSeconds(8));
            var log = strongswan.Log();
            Assert.Contains("generating INFORMATIONAL_V1 request", log);
            Assert.Contains("N(DPD) ]", log);      // R-U-THERE, sent and received
            Assert.Contains("N(DPD_ACK) ]", log);  // R-U-THERE-ACK, sent and received
            Assert.Contains("ESTABLISHED, IKEv1", strongswan.ListSas());
            Assert.True(lab.Ping(lab.Right, lab.Left).Succeeded);

            // A delete from the side that did not initiate clears the other.
            if (petrelInitiates) strongswan.Terminate(LabConfig.Connection).EnsureSuccess();
            else Assert.True(petrel.Cli("down", LabConfig.Connection).Succeeded);
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(20) && (petrel.ListSas().Find(LabConfig.Connection) is not null || strongswan.ListSas().Contains("IKEv1")))
                Thread.Sleep(200);
            Assert.Null(petrel.ListSas().Find(LabConfig.Connection));
            Assert.DoesNotContain("IKEv1", strongswan.ListSas());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
