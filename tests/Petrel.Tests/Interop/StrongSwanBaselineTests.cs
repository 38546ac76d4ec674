using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// strongSwan on both sides, through the harness: proves the namespaces, charon startup, traffic
/// checks, capture analysis and hostile-packet injection work, independently of Petrel. The Petrel
/// interop tests run exactly these checks with Petrel in place of one strongSwan.
/// </summary>
[Trait("Category", "Interop")]
public sealed class StrongSwanBaselineTests(BaselineLab fixture, ITestOutputHelper output) : IClassFixture<BaselineLab>
{
    [RootTheory]
    [InlineData("cbc-hmac")]
    [InlineData("gcm128")]
    [InlineData("gcm256")]
    [InlineData("chacha")]
    public void StrongSwan_to_strongSwan_passes_ipv4_and_ipv6_traffic_as_esp_in_udp_only(string proposalName)
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.ByName(proposalName);
        using var left = StrongSwanPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, proposals));
        using var right = StrongSwanPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        try
        {
            left.Initiate(LabConfig.Child).EnsureSuccess();
            TunnelTraffic.AssertStrongSwanUp(left, proposals);
            TunnelTraffic.AssertStrongSwanUp(right, proposals);

            var report = TunnelTraffic.Run(lab, "baseline-" + proposalName);
            output.WriteLine(report.ToString());
            TunnelTraffic.AssertPassed(report);

            // The harness's iperf3 wrapper (JSON output), as bench/iperf.sh uses iperf3.
            var iperf = Iperf.Run(lab, lab.Left, lab.Right, bytes: TunnelTraffic.BulkBytes);
            output.WriteLine($"iperf3: sent {iperf.BytesSent} bytes, receiver counted {iperf.BytesReceived}, {iperf.ReceiverBitsPerSecond / 1e6:F0} Mbit/s");
            Assert.True(iperf.BytesSent >= TunnelTraffic.BulkBytes, $"iperf3 sent only {iperf.BytesSent} bytes");
            Assert.True(iperf.BytesReceived > 0 && iperf.ReceiverBitsPerSecond > 0, "iperf3 receiver counted nothing");
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Hostile_packets_do_not_break_a_strongswan_tunnel()
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.Gcm128;
        using var left = StrongSwanPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, proposals));
        using var right = StrongSwanPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        try
        {
            left.Initiate(LabConfig.Child).EnsureSuccess();
            string pcap;
            using (var capture = PacketCapture.Start(lab, lab.Right, "baseline-hostile-sample"))
            {
                Assert.True(lab.Ping(lab.Left, lab.Right).Succeeded);
                pcap = capture.Stop();
            }
            var esp = HostilePackets.FindEsp(pcap, lab.Left, lab.Right);
            Assert.True(esp is not null, "no ESP-in-UDP packet left -> right in the capture");

            var sent = HostilePackets.Inject(lab, lab.Left, lab.Right, esp!);
            output.WriteLine($"sent {sent}");
            Thread.Sleep(500);

            // strongSwan logs the replays it drops (libipsec: "ESP sequence number verification failed").
            var ping = lab.Ping(lab.Left, lab.Right);
            Assert.True(ping.Succeeded, ping.Describe());
            var transfer = TcpTransfer.Run(lab.Left, lab.Right, 1024 * 1024);
            Assert.True(transfer.ChecksumsMatch, transfer.ToString());
            TunnelTraffic.AssertStrongSwanUp(right, proposals);
            var log = right.Log();
            int replayLines = log.Split('\n').Count(l => l.Contains("sequence number verification failed", StringComparison.OrdinalIgnoreCase));
            output.WriteLine($"charon logged {replayLines} sequence-number failures");
            Assert.True(replayLines >= sent.Replays, $"expected {sent.Replays} replay drops in charon's log, saw {replayLines}");
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Wire_summary_flags_cleartext_between_the_protected_subnets()
    {
        // Without a tunnel, plain routes between the subnets: the capture check must see the leak,
        // or the "only ESP on the wire" assertions of the other tests would prove nothing.
        var lab = fixture.Lab;
        lab.Exec(lab.Left, "ip", "route", "add", lab.Right.SubnetV4, "via", lab.Right.OuterV4).EnsureSuccess();
        lab.Exec(lab.Right, "ip", "route", "add", lab.Left.SubnetV4, "via", lab.Left.OuterV4).EnsureSuccess();
        try
        {
            WireSummary wire;
            using (var capture = PacketCapture.Start(lab, lab.Right, "baseline-cleartext", snapLength: 128))
            {
                Assert.True(lab.Ping(lab.Left, lab.Right).Succeeded);
                wire = WireSummary.Read(capture.Stop(), lab.Left, lab.Right);
            }
            output.WriteLine(wire.ToString());
            Assert.Equal(6, wire.Cleartext);
            Assert.Equal(0, wire.EspInUdp);
        }
        finally
        {
            lab.Exec(lab.Left, "ip", "route", "del", lab.Right.SubnetV4);
            lab.Exec(lab.Right, "ip", "route", "del", lab.Left.SubnetV4);
        }
    }
}
