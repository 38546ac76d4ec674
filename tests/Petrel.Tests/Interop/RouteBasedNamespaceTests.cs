using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel ⇄ Petrel route-based VPN in namespaces: a 0.0.0.0/0 ⇄ 0.0.0.0/0 CHILD_SA on the left's
/// ospf0 (named in petrel { interfaces { } }) and the right's vti00 carries whatever the routing
/// table sends into them (ping and TCP), Petrel installs no route for it; the named device exists
/// only while the daemon runs, and naming it after a non-TUN device stops the daemon at start; and MSS clamping on the right, seen in captures of both devices.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RouteBasedNamespaceTests(RouteBasedLab fixture, ITestOutputHelper output) : IClassFixture<RouteBasedLab>
{
    // AES-GCM-16 ESP-in-UDP over IPv4 carries 1438-byte inner packets: 1438 - 20 (IPv4) - 20 (TCP).
    private const int ClampedMss = 1398;

    [RootFact]
    public void Zero_zero_sa_on_the_vtis_carries_ping_and_tcp_routed_by_the_user()
    {
        var lab = fixture.Lab;
        var left = fixture.Left;
        try
        {
            // Petrel added no route of its own: only the kernel's and the test's.
            var routes = lab.Exec(lab.Left, "ip", "-4", "route", "show").EnsureSuccess().StandardOutput;
            output.WriteLine(routes);
            Assert.DoesNotContain("0.0.0.0/1", routes);
            Assert.Single(routes.Split('\n'), l => l.Contains("dev " + RouteBasedLab.LeftInterface));

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
    public void Named_interface_is_the_left_vti_carries_the_routed_traffic_and_goes_away_with_the_daemon()
    {
        var lab = fixture.Lab;
        var left = fixture.Left;
        const string name = RouteBasedLab.LeftInterface;
        try
        {
            // The device has the configured name and is Petrel's TUN device; no vti00 on the left.
            var link = lab.Exec(lab.Left, "ip", "-d", "link", "show", name).EnsureSuccess().StandardOutput;
            output.WriteLine(link);
            Assert.Contains($": {name}: ", link);
            Assert.Contains("tun type tun", link);
            Assert.False(lab.Exec(lab.Left, "ip", "link", "show", "vti00").Succeeded, "the left has a vti00 as well");
            Assert.Contains($"route-based interface {name} for if_id {DataPlaneLabConfig.InterfaceId}", left.Log());
            var child = Assert.Single(left.ListSas().Find(DataPlaneLabConfig.Connection)!.Children, c => c.Name == "vti");
            Assert.Equal(name, (string?)child.Raw["interface_out"]);
            Assert.Equal(name, (string?)child.Raw["interface_in"]);

            // The kernel routes the right's site into it, and ping replies come back out of it.
            var get = lab.Exec(lab.Left, "ip", "route", "get", fixture.RightHost.LanV4, "from", fixture.LeftHost.LanV4).EnsureSuccess().StandardOutput;
            output.WriteLine(get);
            Assert.Contains($"dev {name}", get);
            Assert.Equal(3, PingsThrough(name));

            // A stopped daemon leaves no device behind; started again it opens the name anew.
            fixture.RestartLeft(stopped =>
            {
                Assert.Contains("stopped", stopped.Log());
                var gone = lab.Exec(lab.Left, "ip", "link", "show", name);
                output.WriteLine($"after stop: ip link show {name}: exit {gone.ExitCode} {gone.StandardError.Trim()}");
                Assert.False(gone.Succeeded, $"{name} outlived the daemon");

                // Naming the interface after a device of another kind (lan0, a veth) stops the daemon at start, saying why.
                string conf = Path.Combine(stopped.Dir, "taken.conf");
                File.WriteAllText(conf, DataPlaneLabConfig.For(lab.Left, lab.Right, left: true,
                    $"interfaces {{\n    lan0 = {DataPlaneLabConfig.InterfaceId}\n  }}", routeBased: true));
                var start = lab.Exec(lab.Left, TimeSpan.FromSeconds(30),
                    [.. PetrelExecutable.Command, "daemon", "--config", conf, "--socket", Path.Combine(stopped.Dir, "taken.sock")]);
                output.WriteLine($"daemon naming lan0: exit {start.ExitCode}: {start.StandardError.Trim()}");
                Assert.False(start.Succeeded, start.Describe());
                Assert.Contains("route-based interfaces lan0 (if_id 1)", start.StandardError);
                Assert.Contains("TUNSETIFF lan0: Invalid argument: a network device named 'lan0' exists and is not a TUN device", start.StandardError);
            });
            Assert.Equal(3, PingsThrough(name));
        }
        catch
        {
            output.WriteLine(fixture.Left.Diagnostics());
            output.WriteLine(fixture.Right.Diagnostics());
            throw;
        }
    }

    /// <summary>Pings the right's host from the left's, capturing on <paramref name="device"/>: the echo replies seen there.</summary>
    private int PingsThrough(string device)
    {
        var lab = fixture.Lab;
        using var capture = PacketCapture.Start(lab, lab.Left, "vti-named", device: device);
        var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(20), "ping", "-4", "-c", "3", "-i", "0.2", "-W", "3",
            "-I", fixture.LeftHost.LanV4, fixture.RightHost.LanV4);
        var pcap = capture.Stop();
        Assert.True(ping.Succeeded, ping.Describe());
        int replies = Tshark.Count(pcap, $"icmp.type == 0 && ip.src == {fixture.RightHost.LanV4}");
        output.WriteLine($"{device}: {replies} echo replies captured");
        return replies;
    }

    [RootFact]
    public void Syn_and_syn_ack_mss_are_clamped_to_the_sa_by_the_clamping_side()
    {
        var lab = fixture.Lab;
        var right = fixture.Right;
        _ = fixture.Left;
        try
        {
            using var leftTun = PacketCapture.Start(lab, lab.Left, "mss-left-vti", device: RouteBasedLab.LeftInterface);
            using var rightTun = PacketCapture.Start(lab, lab.Right, "mss-right-vti", device: RouteBasedLab.RightInterface);
            var tcp = TcpTransfer.Run(fixture.LeftHost, fixture.RightHost, 1 << 20, port: 45011, timeout: TimeSpan.FromSeconds(60));
            var leftPcap = leftTun.Stop();
            var rightPcap = rightTun.Stop();
            output.WriteLine(tcp.ToString());
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());

            string[] fields = ["tcp.flags.ack", "tcp.options.mss_val", "tcp.checksum.status"];
            var leftSyns = Tshark.Fields(leftPcap, "tcp.flags.syn == 1 && tcp.port == 45011", fields, "tcp.check_checksum:TRUE");
            var rightSyns = Tshark.Fields(rightPcap, "tcp.flags.syn == 1 && tcp.port == 45011", fields, "tcp.check_checksum:TRUE");
            foreach (var r in leftSyns) output.WriteLine("left ospf0:  ack " + string.Join(" ", r));
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
