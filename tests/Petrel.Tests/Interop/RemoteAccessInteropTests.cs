using System.Text.Json.Nodes;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Virtual IPs from address pools (RFC 7296 §3.15) with strongSwan 5.9.8, both roles: the roadwarrior
/// (left, vips = 0.0.0.0) gets an address from the gateway's pool (right) and pings the gateway's subnet
/// from it through the tunnel.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RemoteAccessInteropTests(RemoteAccessLab fixture, ITestOutputHelper output) : IClassFixture<RemoteAccessLab>
{
    private static string Config(LabSite local, LabSite remote, string extra, string localTs, string remoteTs, string tail = "") => $$"""
        connections {
          ra {
            version = 2
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            dpd_delay = 0
            {{extra}}
            local {
              auth = psk
              id = {{local.Id}}
            }
            remote {
              auth = psk
              id = {{remote.Id}}
            }
            children {
              net {
                local_ts = {{localTs}}
                remote_ts = {{remoteTs}}
                esp_proposals = aes128gcm16
              }
            }
          }
        }
        secrets {
          ike-ra {
            id-1 = left
            id-2 = right
            secret = "{{LabConfig.Psk}}"
          }
        }
        {{tail}}
        """;

    private static string Pool(string addrs) => "pools {\n  rw {\n    addrs = " + addrs + "\n    dns = 10.2.0.53\n  }\n}";

    private CommandResult PingFrom(NamespacePair lab, string source, LabSite to) =>
        lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "5", "-i", "0.2", "-W", "3", "-I", source, to.LanV4);

    [RootFact]
    public void StrongSwan_roadwarrior_gets_an_address_from_a_petrel_pool_and_pings_from_it()
    {
        var lab = fixture.Lab;
        using var petrel = PetrelPeer.Start(lab, lab.Right, Config(lab.Right, lab.Left, "pools = rw", lab.Right.SubnetV4, "dynamic", Pool("10.3.0.0/24")));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, Config(lab.Left, lab.Right, "vips = 0.0.0.0", "dynamic", lab.Right.SubnetV4));
        try
        {
            strongswan.Initiate("net").EnsureSuccess();
            var sa = petrel.ListSas().Find("ra") ?? throw new InvalidOperationException("no IKE SA 'ra' on Petrel");
            Assert.Equal(["10.3.0.1"], sa.Raw["remote_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("10.3.0.1/32", (string?)sa.Children.Single().Raw["remote_ts"]![0]);
            Assert.Contains("10.3.0.1", strongswan.ListSas());
            Assert.Contains("10.3.0.1/32", lab.Exec(lab.Left, "ip", "-4", "addr", "show").StandardOutput);

            var ping = PingFrom(lab, "10.3.0.1", lab.Right);
            output.WriteLine(ping.StandardOutput);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Contains("5 received", ping.StandardOutput);

            var child = petrel.ListSas().Find("ra")!.Children.Single();
            Assert.True(child.PacketsIn >= 5 && child.PacketsOut >= 5, $"Petrel counted {child.PacketsIn} packets in, {child.PacketsOut} out");

            var pools = JsonNode.Parse(petrel.Cli("list-pools", "--leases", "--json").EnsureSuccess().StandardOutput)!.AsArray();
            Assert.Equal(1, (int)pools.Single()!["online"]!);
            Assert.Equal("left", (string?)pools.Single()!["leases"]![0]!["identity"]);

            strongswan.Terminate("ra").EnsureSuccess();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (petrel.ListSas().Find("ra") is not null && DateTime.UtcNow < deadline) Thread.Sleep(200);
            Assert.Contains("offline 'left'", petrel.Cli("list-pools", "--leases").EnsureSuccess().StandardOutput);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Petrel_roadwarrior_gets_an_address_from_a_strongswan_pool_and_pings_from_it()
    {
        var lab = fixture.Lab;
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, Config(lab.Right, lab.Left, "pools = rw", lab.Right.SubnetV4, "dynamic", Pool("10.4.0.0/24")));
        using var petrel = PetrelPeer.Start(lab, lab.Left, Config(lab.Left, lab.Right, "vips = 0.0.0.0", "dynamic", lab.Right.SubnetV4));
        try
        {
            petrel.Up("ra", "net").EnsureSuccess();
            var sa = petrel.ListSas().Find("ra") ?? throw new InvalidOperationException("no IKE SA 'ra' on Petrel");
            Assert.Equal(["10.4.0.1"], sa.Raw["local_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("10.4.0.1/32", (string?)sa.Children.Single().Raw["local_ts"]![0]);
            Assert.Contains("10.4.0.1/32", lab.Exec(lab.Left, "ip", "-4", "addr", "show", "dev", "petrel0").StandardOutput);
            Assert.Contains("10.4.0.1", strongswan.ListSas());
            Assert.Contains("peer assigned DNS server(s) 10.2.0.53, installed in /etc/resolv.conf", petrel.Log());
            // As strongSwan's resolve plugin: the namespace's resolver now asks the assigned server first.
            string resolv = File.ReadAllText(NamespacePair.ResolvConf(lab.Left.Namespace));
            Assert.StartsWith("nameserver 10.2.0.53   # by Petrel\n", resolv);
            Assert.Contains("# lab namespace", resolv);

            var ping = PingFrom(lab, "10.4.0.1", lab.Right);
            output.WriteLine(ping.StandardOutput);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Contains("5 received", ping.StandardOutput);
            // The route into the tunnel takes the virtual IP as its source: a ping without -I leaves from it too.
            var plain = lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "2", "-i", "0.2", "-W", "3", lab.Right.LanV4);
            Assert.True(plain.Succeeded, plain.StandardOutput + plain.StandardError);
            var child = petrel.ListSas().Find("ra")!.Children.Single();
            Assert.True(child.PacketsOut >= 7 && child.PacketsIn >= 7, $"Petrel counted {child.PacketsOut} packets out, {child.PacketsIn} in");
            Assert.Contains("10.4.0.1", strongswan.Swanctl("--list-pools", "--leases").EnsureSuccess().StandardOutput);

            petrel.Cli("down", "ra").EnsureSuccess();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while ((lab.Exec(lab.Left, "ip", "-4", "addr", "show", "dev", "petrel0").StandardOutput.Contains("10.4.0.1")
                || File.ReadAllText(NamespacePair.ResolvConf(lab.Left.Namespace)).Contains("10.2.0.53")) && DateTime.UtcNow < deadline) Thread.Sleep(200);
            Assert.DoesNotContain("10.4.0.1", lab.Exec(lab.Left, "ip", "-4", "addr", "show", "dev", "petrel0").StandardOutput);
            Assert.DoesNotContain("10.2.0.53", File.ReadAllText(NamespacePair.ResolvConf(lab.Left.Namespace)));
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
