using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// BGP over route-based tunnels, with redundant VPNs: two Petrel sites joined by two route-based CHILD_SAs
/// (0.0.0.0/0 ⇄ 0.0.0.0/0), "primary" over eth0 (198.18.0.0/24, if_id 1, interface vpn0) and "backup" over a
/// second veth pair eth1 (198.19.0.0/24, if_id 2, vpn1). Each interface gets its point-to-point addresses from
/// the configuration (petrel.interfaces.vpn0 { local, peer }: 169.254.10.0/30 and 169.254.20.0/30). BIRD 2 runs
/// in each namespace and peers over both tunnels' interface addresses, the primary session with the higher
/// preference. Each site announces its LAN (10.1.0.0/24, 10.2.0.0/24) and learns the other's over BGP; the
/// kernel routes it into vpn0. Cutting the primary's outer link moves the route to vpn1 once BGP's hold time
/// (3 s) runs out; bringing it back returns it. Deleting the primary's SA (petrel down) turns vpn0's carrier
/// off on both sites, BIRD ends the session at once ("Link down") and the route moves to vpn1; petrel up brings it back.
/// </summary>
[Trait("Category", "Interop")]
public sealed class BgpRouteBasedTests(ITestOutputHelper output)
{
    private const string Primary = "primary";
    private const string Backup = "backup";

    /// <summary>The second outer path: eth1 in both namespaces.</summary>
    private static string SecondOuter(LabSite site) => site.Name == "left" ? "198.19.0.1" : "198.19.0.2";

    private static string Link(LabSite site, int net) => site.Name == "left" ? $"169.254.{net}.1" : $"169.254.{net}.2";

    private static string PeerLink(LabSite site, int net) => site.Name == "left" ? $"169.254.{net}.2" : $"169.254.{net}.1";

    private static string PetrelConfig(LabSite local, LabSite remote)
    {
        var sb = new StringBuilder("connections {\n");
        void Connection(string name, string localAddr, string remoteAddr, uint ifId, string suffix)
        {
            sb.Append(CultureInfo.InvariantCulture, $$"""
                  {{name}} {
                    local_addrs = {{localAddr}}
                    remote_addrs = {{remoteAddr}}
                    proposals = aes128gcm16-prfsha256-ecp256
                    dpd_delay = 0
                    local {
                      auth = psk
                      id = {{local.Id}}{{suffix}}
                    }
                    remote {
                      auth = psk
                      id = {{remote.Id}}{{suffix}}
                    }
                    children {
                      vti {
                        local_ts = 0.0.0.0/0
                        remote_ts = 0.0.0.0/0
                        esp_proposals = aes128gcm16
                        if_id_in = {{ifId}}
                        if_id_out = {{ifId}}
                      }
                    }
                  }

                """);
        }
        Connection(Primary, local.OuterV4, remote.OuterV4, 1, "");
        Connection(Backup, SecondOuter(local), SecondOuter(remote), 2, "-b");
        sb.Append(CultureInfo.InvariantCulture, $$"""
            }
            secrets {
              ike-bgp {
                id-1 = left
                id-2 = right
                id-3 = left-b
                id-4 = right-b
                secret = "{{LabConfig.Psk}}"
              }
            }
            petrel {
              tun_mtu = 1400
              interfaces {
                vpn0 {
                  if_id = 1
                  local = {{Link(local, 10)}}
                  peer = {{PeerLink(local, 10)}}
                }
                vpn1 {
                  if_id = 2
                  local = {{Link(local, 20)}}
                  peer = {{PeerLink(local, 20)}}
                }
              }
            }

            """);
        return sb.ToString();
    }

    /// <summary>BIRD 2: the LAN out, the peer's LAN in (into the kernel's main table), over both tunnels; primary preferred.</summary>
    private static string BirdConfig(LabSite site)
    {
        int localAs = site.Name == "left" ? 65001 : 65002, peerAs = site.Name == "left" ? 65002 : 65001;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""
            router id {{Link(site, 10)}};
            log stderr all;
            protocol device { scan time 1; }
            protocol direct { ipv4; interface "lan0"; }
            protocol kernel {
              scan time 1;
              ipv4 { import none; export where source = RTS_BGP; };
            }

            """);
        // Protocol names get a prefix: "primary" is a keyword of BIRD's grammar.
        foreach (var (name, net, interfaceName, preference) in new[] { (Primary, 10, "vpn0", 200), (Backup, 20, "vpn1", 100) })
        {
            sb.Append(CultureInfo.InvariantCulture, $$"""
                protocol bgp via_{{name}} {
                  local {{Link(site, net)}} as {{localAs}};
                  neighbor {{PeerLink(site, net)}} as {{peerAs}};
                  interface "{{interfaceName}}";
                  direct;
                  hold time 3;
                  keepalive time 1;
                  connect retry time 1;
                  error wait time 1, 2;
                  ipv4 {
                    preference {{preference}};
                    import all;
                    export where source = RTS_DEVICE;
                  };
                }

                """);
        }
        return sb.ToString();
    }

    [RootFact]
    public void Bgp_learns_the_other_site_over_the_primary_tunnel_fails_over_to_the_backup_and_comes_back()
    {
        using var lab = NamespacePair.Create("bgp");
        var (left, right) = (lab.Left, lab.Right);
        CommandRunner.Run(["ip", "-n", left.Namespace, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", right.Namespace], TimeSpan.FromSeconds(20)).EnsureSuccess();
        foreach (var site in new[] { left, right })
        {
            lab.Exec(site, "ip", "addr", "add", SecondOuter(site) + "/24", "dev", "eth1").EnsureSuccess();
            lab.Exec(site, "ip", "link", "set", "eth1", "up").EnsureSuccess();
            // Replies may come back on the other tunnel for a moment while both sides' BGP converge.
            lab.Exec(site, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0").EnsureSuccess();
        }
        lab.Exec(left, "ping", "-c1", "-W2", SecondOuter(right)).EnsureSuccess();

        using var petrelRight = PetrelPeer.Start(lab, right, PetrelConfig(right, left));
        using var petrelLeft = PetrelPeer.Start(lab, left, PetrelConfig(left, right));
        var birds = new List<(LabSite Site, string Socket)>();
        try
        {
            foreach (var name in new[] { Primary, Backup })
            {
                var up = petrelLeft.Up(name, "vti");
                Assert.True(up.Succeeded, up.Describe());
            }
            foreach (var site in new[] { left, right })
            {
                // The interfaces' addresses come from the configuration: 169.254.10.1 peer 169.254.10.2/32 on vpn0 …
                foreach (var (net, dev) in new[] { (10, "vpn0"), (20, "vpn1") })
                {
                    string shown = lab.Exec(site, "ip", "-4", "-o", "address", "show", "dev", dev).StandardOutput;
                    Assert.Contains($"inet {Link(site, net)} peer {PeerLink(site, net)}/32", shown);
                    Assert.DoesNotContain("NO-CARRIER", lab.Exec(site, "ip", "link", "show", dev).StandardOutput);
                }
                string dir = Path.Combine(site.WorkDir, "bird");
                Directory.CreateDirectory(dir);
                string conf = Path.Combine(dir, "bird.conf"), socket = Path.Combine(dir, "bird.ctl");
                File.WriteAllText(conf, BirdConfig(site));
                lab.Start(site, "bird.log", ["bird", "-f", "-c", conf, "-s", socket]);
                birds.Add((site, socket));
            }

            foreach (var (site, socket) in birds)
                WaitFor(() => Regex.Matches(Birdc(lab, site, socket, "show", "protocols"), @"\bEstablished\b").Count == 2, TimeSpan.FromSeconds(40),
                    () => $"BGP sessions in {site.Name}:\n{Birdc(lab, site, socket, "show", "protocols", "all")}");
            WaitFor(() => RouteDevice(lab, left, right.LanV4) == "vpn0" && RouteDevice(lab, right, left.LanV4) == "vpn0", TimeSpan.FromSeconds(20),
                () => "routes: " + lab.Exec(left, "ip", "route").StandardOutput);
            string learned = Birdc(lab, left, birds[0].Socket, "show", "route", "for", right.LanV4, "all");
            output.WriteLine(learned);
            Assert.Contains(right.SubnetV4, learned);
            Assert.Contains("BGP.as_path: 65002", learned);
            output.WriteLine(lab.Exec(left, "ip", "route").StandardOutput);

            ulong before = PacketsOut(petrelLeft, Primary);
            var ping = lab.Ping(left, right, count: 5);
            Assert.True(ping.Succeeded, ping.Describe());
            Assert.True(PacketsOut(petrelLeft, Primary) >= before + 5, "the pings did not go through the primary tunnel");

            // Cut the primary's outer link while a ping runs (10 per second); BGP moves the route to vpn1.
            var pinging = Task.Run(() => lab.Exec(left, TimeSpan.FromSeconds(90), "ping", "-4", "-c", "400", "-i", "0.1", "-W", "1", "-I", left.LanV4, right.LanV4));
            Thread.Sleep(2000);
            ulong backupBefore = PacketsOut(petrelLeft, Backup);
            lab.Exec(left, "ip", "link", "set", "eth0", "down").EnsureSuccess();
            WaitFor(() => RouteDevice(lab, left, right.LanV4) == "vpn1" && RouteDevice(lab, right, left.LanV4) == "vpn1", TimeSpan.FromSeconds(20),
                () => "routes after the cut: " + lab.Exec(left, "ip", "route").StandardOutput);
            Thread.Sleep(3000);
            Assert.True(PacketsOut(petrelLeft, Backup) >= backupBefore + 10, "traffic did not move to the backup tunnel");

            // Bring it back: BGP re-establishes over the primary tunnel and the route returns to vpn0.
            lab.Exec(left, "ip", "link", "set", "eth0", "up").EnsureSuccess();
            WaitFor(() => RouteDevice(lab, left, right.LanV4) == "vpn0" && RouteDevice(lab, right, left.LanV4) == "vpn0", TimeSpan.FromSeconds(30),
                () => "routes after the repair: " + lab.Exec(left, "ip", "route").StandardOutput + Birdc(lab, left, birds[0].Socket, "show", "protocols"));
            ulong primaryBack = PacketsOut(petrelLeft, Primary);
            var again = lab.Ping(left, right, count: 5);
            Assert.True(again.Succeeded, again.Describe());
            Assert.True(PacketsOut(petrelLeft, Primary) >= primaryBack + 5, "traffic did not return to the primary tunnel");
            var result = pinging.Result;

            var (sent, lost, longestGap) = PingGaps(result.StandardOutput, 400);
            output.WriteLine($"continuous ping: {sent} sent, {lost} lost, longest gap {longestGap} replies ({longestGap * 0.1:0.0} s at 0.1 s intervals)");
            Assert.True(sent - lost >= 300, $"{lost} of {sent} pings lost:\n{result.StandardOutput}");
            // The cut costs BGP's hold time (3 s) and convergence; coming back, with the backup still up, almost nothing.
            Assert.True(longestGap <= 60, $"longest gap {longestGap} pings");
            Assert.True(lost - longestGap <= 3, $"{lost - longestGap} pings lost outside the failover gap");

            // Delete the primary's SA (the outer link stays up): vpn0 loses its carrier on both sites, BIRD ends
            // the primary session at once and the route moves to vpn1; up again brings the route back.
            pinging = Task.Run(() => lab.Exec(left, TimeSpan.FromSeconds(90), "ping", "-4", "-c", "300", "-i", "0.1", "-W", "1", "-I", left.LanV4, right.LanV4));
            Thread.Sleep(2000);
            backupBefore = PacketsOut(petrelLeft, Backup);
            var down = petrelLeft.Cli("down", Primary);
            Assert.True(down.Succeeded, down.Describe());
            WaitFor(() => RouteDevice(lab, left, right.LanV4) == "vpn1" && RouteDevice(lab, right, left.LanV4) == "vpn1", TimeSpan.FromSeconds(20),
                () => "routes after the delete: " + lab.Exec(left, "ip", "route").StandardOutput);
            foreach (var (site, socket) in birds)
            {
                Assert.Contains("NO-CARRIER", lab.Exec(site, "ip", "link", "show", "vpn0").StandardOutput);
                string state = Birdc(lab, site, socket, "show", "protocols", "all", "via_primary");
                output.WriteLine($"{site.Name} after the delete:\n{state}");
                Assert.Contains("Link down", state);
            }
            Thread.Sleep(3000);
            Assert.True(PacketsOut(petrelLeft, Backup) >= backupBefore + 10, "traffic did not move to the backup tunnel after the delete");
            var reup = petrelLeft.Up(Primary, "vti");
            Assert.True(reup.Succeeded, reup.Describe());
            WaitFor(() => RouteDevice(lab, left, right.LanV4) == "vpn0" && RouteDevice(lab, right, left.LanV4) == "vpn0", TimeSpan.FromSeconds(30),
                () => "routes after up: " + lab.Exec(left, "ip", "route").StandardOutput + Birdc(lab, left, birds[0].Socket, "show", "protocols"));
            primaryBack = PacketsOut(petrelLeft, Primary);
            again = lab.Ping(left, right, count: 5);
            Assert.True(again.Succeeded, again.Describe());
            Assert.True(PacketsOut(petrelLeft, Primary) >= primaryBack + 5, "traffic did not return to the primary tunnel after up");
            result = pinging.Result;
            (sent, lost, longestGap) = PingGaps(result.StandardOutput, 300);
            output.WriteLine($"continuous ping across the SA delete: {sent} sent, {lost} lost, longest gap {longestGap} replies ({longestGap * 0.1:0.0} s at 0.1 s intervals)");
            Assert.True(sent - lost >= 200, $"{lost} of {sent} pings lost:\n{result.StandardOutput}");
        }
        catch
        {
            output.WriteLine(petrelLeft.Diagnostics());
            output.WriteLine(petrelRight.Diagnostics());
            foreach (var (site, socket) in birds)
                output.WriteLine($"bird {site.Name}:\n{Birdc(lab, site, socket, "show", "protocols", "all")}\n{File.ReadAllText(Path.Combine(site.WorkDir, "bird.log"))}");
            throw;
        }
    }

    private static string Birdc(NamespacePair lab, LabSite site, string socket, params string[] command) =>
        lab.Exec(site, ["birdc", "-s", socket, .. command]).StandardOutput;

    /// <summary>The device the kernel routes <paramref name="destination"/> to, from the site's LAN address.</summary>
    private static string? RouteDevice(NamespacePair lab, LabSite site, string destination)
    {
        var r = lab.Exec(site, "ip", "-4", "route", "get", destination, "from", site.LanV4);
        var m = Regex.Match(r.StandardOutput, @"\bdev (\S+)");
        return m.Success ? m.Groups[1].Value : null;
    }

    private static ulong PacketsOut(PetrelPeer peer, string connection) =>
        peer.ListSas().Find(connection)?.Children.Where(c => c.Name == "vti").Aggregate(0UL, (n, c) => n + c.PacketsOut) ?? 0;

    /// <summary>From ping's output: requests sent, replies missing, and the longest run of missing replies.</summary>
    private static (int Sent, int Lost, int LongestGap) PingGaps(string text, int count)
    {
        var seen = new HashSet<int>();
        foreach (Match m in Regex.Matches(text, @"icmp_seq=(\d+) "))
            seen.Add(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        int longest = 0, run = 0;
        for (int seq = 1; seq <= count; seq++)
        {
            run = seen.Contains(seq) ? 0 : run + 1;
            longest = Math.Max(longest, run);
        }
        return (count, count - seen.Count, longest);
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(describe());
            Thread.Sleep(250);
        }
    }
}
