using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel ⇄ Petrel route-based VPN in namespaces: a 0.0.0.0/0 ⇄ 0.0.0.0/0 CHILD_SA on vti00 at both
/// sites carries whatever the routing table sends into vti00 (ping and TCP), Petrel installs no
/// route for it; and MSS clamping on the right, seen in captures of both vti00 devices.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RouteBasedNamespaceTests(RouteBasedLab fixture, ITestOutputHelper output) : IClassFixture<RouteBasedLab>
{
    // AES-GCM-16 ESP-in-UDP over IPv4 carries 1438-byte inner packets: 1438 - 20 (IPv4) - 20 (TCP).
    private const int ClampedMss = 1398;

    [RootFact]
    public void Zero_zero_sa_on_vti00_carries_ping_and_tcp_routed_by_the_user()
    {
        var lab = fixture.Lab;
        var left = fixture.Left;
        try
        {
            // Petrel added no route of its own: only the kernel's and the test's.
            var routes = lab.Exec(lab.Left, "ip", "-4", "route", "show").EnsureSuccess().StandardOutput;
            output.WriteLine(routes);
            Assert.DoesNotContain("0.0.0.0/1", routes);
            Assert.Single(routes.Split('\n'), l => l.Contains("dev vti00"));

            using var capture = PacketCapture.Start(lab, lab.Left, "vti-wire");
            var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(20), "ping", "-4", "-c", "3", "-i", "0.2", "-W", "3",
                "-I", fixture.LeftHost.LanV4, fixture.RightHost.LanV4);
            Assert.True(ping.Succeeded, ping.Describe());
            var tcp = TcpTransfer.Run(fixture.LeftHost, fixture.RightHost, 2 << 20, port: 45021, timeout: TimeSpan.FromSeconds(60));
            var pcap = capture.Stop();
            output.WriteLine(tcp.ToString());
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());

            var sa = left.ListSas().Find(DataPlaneLabConfig.Connection)!;
            var vti = Assert.Single(sa.Children, c => c.Name == "vti");
            output.WriteLine($"vti CHILD_SA {vti.Raw["local_ts"]?.ToJsonString()} === {vti.Raw["remote_ts"]?.ToJsonString()}: packets out {vti.PacketsOut}, in {vti.PacketsIn}");
            Assert.True(vti.PacketsOut >= 3 + (2 << 20) / 1448, $"{vti.PacketsOut} packets out");
            // On the wire only ESP-in-UDP (tcpdump may miss some of a fast transfer, so no exact count).
            int clear = Tshark.Count(pcap, "ip.addr == 172.16.2.1");
            int esp = Tshark.Count(pcap, "udp.port == 4500");
            output.WriteLine($"wire: {clear} cleartext packets of 172.16.2.1, {esp} ESP-in-UDP");
            Assert.Equal(0, clear);
            Assert.True(esp >= 6, $"{esp} ESP-in-UDP packets");
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(fixture.Right.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Syn_and_syn_ack_mss_are_clamped_to_the_sa_by_the_clamping_side()
    {
        var lab = fixture.Lab;
        var right = fixture.Right;
        _ = fixture.Left;
        try
        {
            using var leftTun = PacketCapture.Start(lab, lab.Left, "mss-left-vti", device: "vti00");
            using var rightTun = PacketCapture.Start(lab, lab.Right, "mss-right-vti", device: "vti00");
            var tcp = TcpTransfer.Run(fixture.LeftHost, fixture.RightHost, 1 << 20, port: 45011, timeout: TimeSpan.FromSeconds(60));
            var leftPcap = leftTun.Stop();
            var rightPcap = rightTun.Stop();
            output.WriteLine(tcp.ToString());
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());

            string[] fields = ["tcp.flags.ack", "tcp.options.mss_val", "tcp.checksum.status"];
            var leftSyns = Tshark.Fields(leftPcap, "tcp.flags.syn == 1 && tcp.port == 45011", fields, "tcp.check_checksum:TRUE");
            var rightSyns = Tshark.Fields(rightPcap, "tcp.flags.syn == 1 && tcp.port == 45011", fields, "tcp.check_checksum:TRUE");
            foreach (var r in leftSyns) output.WriteLine("left vti00:  ack " + string.Join(" ", r));
            foreach (var r in rightSyns) output.WriteLine("right vti00: ack " + string.Join(" ", r));

            // Left: SYN out as its host sent it (MTU 1500 → 1460), SYN-ACK in clamped by the right.
            Assert.Equal("1460", Assert.Single(leftSyns, r => r[0] == "0")[1]);
            Assert.Equal(ClampedMss.ToString(), Assert.Single(leftSyns, r => r[0] == "1")[1]);
            // Right: SYN in clamped, SYN-ACK out as its host sent it.
            Assert.Equal(ClampedMss.ToString(), Assert.Single(rightSyns, r => r[0] == "0")[1]);
            Assert.Equal("1460", Assert.Single(rightSyns, r => r[0] == "1")[1]);
            // The rewritten segments carry a correct checksum (tshark's checksum status: 1 = good, 0 = bad).
            Assert.All(leftSyns.Concat(rightSyns), r => Assert.Equal("1", r[2]));
        }
        catch
        {
            output.WriteLine(fixture.Left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
    }
}
