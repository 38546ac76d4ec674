using System.Text;
using System.Text.Json.Nodes;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// 50 roadwarriors at once against one Petrel gateway: one strongSwan 5.9.8 charon (left) with 50 connections, each
/// from its own source address (198.18.0.101–150) and identity, all started together (start_action = start). Each gets
/// a distinct virtual IP from the gateway's pool, each pings the gateway's subnet from it through its own tunnel, and
/// when they all leave the 50 leases go offline in the pool.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RoadwarriorScaleTests(RoadwarriorScaleLab fixture, ITestOutputHelper output) : IClassFixture<RoadwarriorScaleLab>
{
    private const int Clients = 50;

    private static string GatewayConf(LabSite gw) => $$"""
        connections {
          rw {
            version = 2
            local_addrs = {{gw.OuterV4}}
            encap = yes
            dpd_delay = 0
            pools = rw
            local {
              auth = psk
              id = gw.petrel.test
            }
            remote {
              auth = psk
            }
            children {
              net {
                local_ts = {{gw.SubnetV4}}
                remote_ts = dynamic
                esp_proposals = aes128gcm16
              }
            }
          }
        }
        pools {
          rw {
            addrs = 10.3.0.0/24
            dns = 10.2.0.53
          }
        }
        secrets {
          ike-rw {
            id = gw.petrel.test
            secret = "{{LabConfig.Psk}}"
          }
        }
        """;

    private static string ClientsConf(LabSite gw)
    {
        var sb = new StringBuilder("connections {\n");
        for (int i = 1; i <= Clients; i++)
        {
            sb.Append($$"""
                  rw{{i}} {
                    version = 2
                    local_addrs = 198.18.0.{{100 + i}}
                    remote_addrs = {{gw.OuterV4}}
                    encap = yes
                    dpd_delay = 0
                    vips = 0.0.0.0
                    local {
                      auth = psk
                      id = rw{{i}}.petrel.test
                    }
                    remote {
                      auth = psk
                      id = gw.petrel.test
                    }
                    children {
                      net{{i}} {
                        local_ts = dynamic
                        remote_ts = {{gw.SubnetV4}}
                        esp_proposals = aes128gcm16
                        start_action = start
                      }
                    }
                  }

                """);
        }
        sb.Append("}\nsecrets {\n  ike-gw {\n    id = gw.petrel.test\n    secret = \"" + LabConfig.Psk + "\"\n  }\n}\n");
        return sb.ToString();
    }

    [RootFact]
    public void Fifty_strongswan_roadwarriors_get_distinct_leases_pass_traffic_and_return_the_leases()
    {
        var lab = fixture.Lab;
        lab.Exec(lab.Left, "sh", "-c", $"for i in $(seq 101 {100 + Clients}); do ip addr add 198.18.0.$i/24 dev eth0; done").EnsureSuccess();
        using var petrel = PetrelPeer.Start(lab, lab.Right, GatewayConf(lab.Right));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, ClientsConf(lab.Right));
        try
        {
            var started = DateTime.UtcNow;
            var deadline = started.AddSeconds(90);
            PetrelSaListing sas;
            while ((sas = petrel.ListSas()).Sas.Count(s => s.State == "ESTABLISHED" && s.Children.Count == 1) < Clients && DateTime.UtcNow < deadline)
                Thread.Sleep(500);
            var up = sas.Sas.Where(s => s.State == "ESTABLISHED" && s.Children.Count == 1).ToList();
            output.WriteLine($"{up.Count} of {Clients} roadwarriors up after {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            Assert.Equal(Clients, up.Count);

            var vips = up.Select(s => (string)s.Raw["remote_vips"]!.AsArray().Single()!).ToList();
            Assert.Equal(Clients, vips.Distinct().Count());
            Assert.All(vips, v => Assert.StartsWith("10.3.0.", v));

            // One ping from each virtual IP, each through its own CHILD_SA.
            string script = string.Concat(vips.Select(v => $"ping -4 -c 1 -W 3 -I {v} {lab.Right.LanV4} >/dev/null && echo ok {v} || echo FAIL {v}; "));
            var pings = lab.Exec(lab.Left, TimeSpan.FromSeconds(240), "sh", "-c", script);
            int ok = pings.StandardOutput.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal));
            output.WriteLine($"pings answered from {ok} of {Clients} virtual IPs");
            Assert.True(ok == Clients, pings.StandardOutput);
            var children = petrel.ListSas().Sas.Where(s => s.State == "ESTABLISHED").Select(s => s.Children.Single()).ToList();
            Assert.Equal(Clients, children.Count(c => c.PacketsIn >= 1 && c.PacketsOut >= 1));

            var pool = JsonNode.Parse(petrel.Cli("list-pools", "--json").EnsureSuccess().StandardOutput)!.AsArray().Single()!;
            Assert.Equal(Clients, (int)pool["online"]!);

            for (int i = 1; i <= Clients; i++) strongswan.Swanctl("--terminate", "--ike", $"rw{i}", "--timeout", "5");
            deadline = DateTime.UtcNow.AddSeconds(60);
            while (petrel.ListSas().Sas.Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(500);
            pool = JsonNode.Parse(petrel.Cli("list-pools", "--json").EnsureSuccess().StandardOutput)!.AsArray().Single()!;
            output.WriteLine($"after the clients left: {pool["online"]} online, {pool["offline"]} offline");
            Assert.Equal(0, (int)pool["online"]!);
            Assert.Equal(Clients, (int)pool["offline"]!);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
