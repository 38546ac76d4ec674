using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Ike.Config;
using Petrel.Tests.Config;
using Petrel.Tests.Daemon;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Vici;

/// <summary>
/// swanctl --load-all, --load-conns and --load-creds against a daemon that starts with no connections:
/// what they load must be what Petrel makes of the same file, a key Petrel refuses in the file is refused
/// over vici with the same words, and the loaded connections and credentials negotiate SAs.
/// </summary>
public sealed class ViciLoadTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Harness.LoopbackPorts.NextPair();
    private readonly List<PetrelDaemon> _daemons = [];
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private string Vici => Path.Combine(Path.GetTempPath(), $"pl-{_tag}.vici");
    private string SocketA => Path.Combine(Path.GetTempPath(), $"pl-a-{_tag}.sock");
    private string SocketB => Path.Combine(Path.GetTempPath(), $"pl-b-{_tag}.sock");

    private string PetrelSection(bool vici) => $$"""
        petrel {
          ike_port = {{_port}}
          natt_port = {{_port + 1}}
          {{(vici ? $"vici = {Vici}" : "")}}
        }
        """;

    /// <summary>Two connections using most keys Petrel has, and the PSK.</summary>
    private string PskFile(string local, string remote, string localId, string remoteId, string localTs, string remoteTs) => $$"""
        connections {
          lab {
            local_addrs = {{local}}
            remote_addrs = {{remote}}
            local_port = {{_port}}
            remote_port = {{_port}}
            proposals = aes256-sha384-ecp384, aes128-sha256-modp2048
            rekey_time = 2h
            dpd_delay = 45s
            fragmentation = accept
            unique = replace
            local {
              auth = psk
              id = {{localId}}
            }
            remote {
              auth = psk
              id = {{remoteId}}
            }
            children {
              net {
                local_ts = {{localTs}}, 10.9.0.0/16
                remote_ts = {{remoteTs}}
                esp_proposals = aes128gcm16, aes256-sha256-modp2048
                rekey_time = 20m
                life_time = 30m
                rekey_bytes = 1000000000
                replay_window = 64
                dpd_action = restart
                close_action = trap
              }
              host {
                mode = transport
                start_action = trap
                esp_proposals = aes256gcm16
              }
            }
          }
          spare {
            remote_addrs = 192.0.2.99
            local {
              auth = psk
            }
            remote {
              auth = psk
              id = @spare.example
            }
          }
        }
        secrets {
          ike-lab {
            id-1 = left
            id-2 = right
            secret = 0x766963692d6c6f61642d70736b2d30313233343536
          }
        }
        """;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in _daemons)
            await d.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<PetrelDaemon> StartAsync(string path, string socket, string address)
    {
        var daemon = new PetrelDaemon(SwanctlLoader.Load(path), socket, new LoopbackPlatform(IPAddress.Parse(address)), NullLoggerFactory.Instance);
        _daemons.Add(daemon);
        await daemon.StartAsync();
        return daemon;
    }

    /// <summary>The daemon with the vici socket, started from a file holding only petrel { }.</summary>
    private Task<PetrelDaemon> StartEmptyAsync() => StartAsync(_dir.Write("empty/swanctl.conf", PetrelSection(vici: true)), SocketA, "127.0.0.1");

    /// <summary>Every field of the model, as JSON, without where it came from.</summary>
    private static string Model(IEnumerable<ConnectionConfig> connections)
    {
        var array = new JsonArray();
        foreach (var c in connections.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var node = JsonSerializer.SerializeToNode(c)!.AsObject();
            node.Remove("Source");
            array.Add(node);
        }
        return array.ToJsonString();
    }

    [Fact]
    public async Task Load_all_gives_the_connections_petrel_makes_of_the_file_and_they_negotiate()
    {
        var daemon = await StartEmptyAsync();
        string file = _dir.Write("site/swanctl.conf", PskFile("127.0.0.1", "127.0.0.2", "left", "right", "10.1.0.0/24", "10.2.0.0/24"));

        var load = Swanctl.Run(Vici, null, "--load-all", "--file", file);
        Assert.True(load.Succeeded, load.Describe());
        Assert.Contains("loaded ike secret 'ike-lab'", load.StandardOutput);
        Assert.Contains("successfully loaded 2 connections, 0 unloaded", load.StandardOutput);

        var loaded = await daemon.Loop.InvokeAsync(e => e.Connections);
        var fromFile = SwanctlLoader.Load(file).Connections;
        Assert.Equal(Model(fromFile), Model(loaded));
        Assert.Contains("\"ReplayWindow\":64", Model(loaded));

        // The secret and the connection work: B (from its own file) and A (all over vici) negotiate.
        string b = _dir.Write("b/swanctl.conf", PskFile("127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24", "10.1.0.0/24") + PetrelSection(vici: false));
        await StartAsync(b, SocketB, "127.0.0.2");
        var up = Swanctl.Run(Vici, null, "--initiate", "--child", "net");
        Assert.True(up.Succeeded, up.Describe());
        Assert.Contains("lab: #", Swanctl.Run(Vici, null, "--list-sas").EnsureSuccess().StandardOutput);
        Assert.Contains("lab/host, TRANSPORT", Swanctl.Run(Vici, null, "--list-pols").EnsureSuccess().StandardOutput);

        // Dropping a connection from the file and loading again unloads it; the other keeps its SA.
        File.WriteAllText(file, File.ReadAllText(file).Replace("  spare {", "  old_spare {"));
        var reload = Swanctl.Run(Vici, null, "--load-conns", "--file", file);
        Assert.True(reload.Succeeded, reload.Describe());
        Assert.Contains("successfully loaded 2 connections, 1 unloaded", reload.StandardOutput);
        var names = (await daemon.Loop.InvokeAsync(e => e.Connections)).Select(c => c.Name).Order().ToList();
        Assert.Equal(["lab", "old_spare"], names);
        Assert.Contains("ESTABLISHED", Swanctl.Run(Vici, null, "--list-sas").EnsureSuccess().StandardOutput);
    }

    [Theory]
    [InlineData("children {\n net {\n updown = /usr/local/bin/updown\n }\n }", "key 'updown' in connections.bad.children.net is not supported by Petrel yet")]
    [InlineData("mobike = yes", "MOBIKE (RFC 4555) is not built yet")]
    [InlineData("proposal = aes128-sha256-modp2048", "unknown key 'proposal' in connections.bad")]
    [InlineData("children {\n net {\n esp_proposals = aes128-nosuchalg\n }\n }", "esp_proposals")]
    public async Task Load_conns_refuses_what_the_file_loader_refuses_with_the_same_words(string body, string expected)
    {
        await StartEmptyAsync();
        string text = $"connections {{\n bad {{\n remote_addrs = 192.0.2.1\n {body}\n }}\n}}\n";
        string file = _dir.Write("bad/swanctl.conf", text);
        var fileError = Assert.Throws<ConfigException>(() => SwanctlLoader.Load(file));
        Assert.Contains(expected, fileError.Detail);

        var r = Swanctl.Run(Vici, null, "--load-conns", "--file", file);
        Assert.False(r.Succeeded);
        Assert.Contains($"loading connection 'bad' failed: vici load-conn: {fileError.Detail}", r.StandardError);
        Assert.Contains("loaded 0 of 1 connections, 1 failed to load", r.StandardError);
        Assert.DoesNotContain("bad:", Swanctl.Run(Vici, null, "--list-conns").EnsureSuccess().StandardOutput);
    }

    [Fact]
    public async Task Load_creds_and_certificate_connections_over_vici_authenticate_and_list_certs_shows_them()
    {
        var pki = new LabPki(Path.Combine(_dir.Path, "pki"), LabPkiTool.Petrel, "ecdsa");
        pki.Ca("ca", "C=CH, O=Petrel Test, CN=Vici Test CA");
        pki.Issue("ca", "left", "C=CH, O=Petrel Test, CN=left.petrel.test", ["left.petrel.test"]);
        pki.Issue("ca", "right", "C=CH, O=Petrel Test, CN=right.petrel.test", ["right.petrel.test"]);
        string siteA = pki.Site("a", ["left"], ["ca"]);
        string siteB = pki.Site("b", ["right"], ["ca"]);
        string Conn(string local, string remote, string me, string peer, string cert, string lts, string rts) => $$"""
            connections {
              pk {
                local_addrs = {{local}}
                remote_addrs = {{remote}}
                local_port = {{_port}}
                remote_port = {{_port}}
                local {
                  auth = pubkey
                  certs = {{cert}}
                  id = {{me}}
                }
                remote {
                  auth = pubkey
                  id = {{peer}}
                  cacerts = ca.pem
                }
                children {
                  net {
                    local_ts = {{lts}}
                    remote_ts = {{rts}}
                  }
                }
              }
            }
            """;
        File.WriteAllText(Path.Combine(siteA, "swanctl.conf"), Conn("127.0.0.1", "127.0.0.2", "left.petrel.test", "right.petrel.test", "left.pem", "10.1.0.0/24", "10.2.0.0/24"));
        File.WriteAllText(Path.Combine(siteB, "swanctl.conf"), Conn("127.0.0.2", "127.0.0.1", "right.petrel.test", "left.petrel.test", "right.pem", "10.2.0.0/24", "10.1.0.0/24") + PetrelSection(vici: false));
        await StartEmptyAsync();
        await StartAsync(Path.Combine(siteB, "swanctl.conf"), SocketB, "127.0.0.2");

        var creds = Swanctl.Run(Vici, null, "--load-creds", "--file", Path.Combine(siteA, "swanctl.conf"));
        Assert.True(creds.Succeeded, creds.Describe());
        Assert.Contains("loaded certificate from", creds.StandardOutput);
        Assert.Matches("(?i)loaded (private|ecdsa) key from", creds.StandardOutput);

        var certs = Swanctl.Run(Vici, null, "--list-certs").EnsureSuccess().StandardOutput;
        Assert.Contains("subject:  \"C=CH, O=Petrel Test, CN=left.petrel.test\"", certs);
        Assert.Contains("subject:  \"C=CH, O=Petrel Test, CN=Vici Test CA\"", certs);
        Assert.Contains("has private key", certs);
        var caOnly = Swanctl.Run(Vici, null, "--list-certs", "--flag", "CA").EnsureSuccess().StandardOutput;
        Assert.DoesNotContain("left.petrel.test", caOnly);

        var conns = Swanctl.Run(Vici, null, "--load-conns", "--file", Path.Combine(siteA, "swanctl.conf"));
        Assert.True(conns.Succeeded, conns.Describe());
        var up = Swanctl.Run(Vici, null, "--initiate", "--child", "net");
        Assert.True(up.Succeeded, up.Describe());
        var sas = Swanctl.Run(Vici, null, "--list-sas").EnsureSuccess().StandardOutput;
        Assert.Contains("local  'left.petrel.test' @ 127.0.0.1", sas);
        Assert.Contains("remote 'right.petrel.test' @ 127.0.0.2", sas);
    }

    /// <summary>A gateway file with a pool, and the roadwarrior's, as RemoteAccessDaemonTests has them.</summary>
    private string RemoteAccessFile(bool gateway, string pools) => $$"""
        connections {
          ra {
            local_addrs = {{(gateway ? "127.0.0.1" : "127.0.0.2")}}
            remote_addrs = {{(gateway ? "127.0.0.2" : "127.0.0.1")}}
            local_port = {{_port}}
            remote_port = {{_port}}
            {{(gateway ? "pools = rw_pool" : "vips = 0.0.0.0")}}
            local {
              auth = psk
              id = {{(gateway ? "gw" : "carol")}}
            }
            remote {
              auth = psk
              id = {{(gateway ? "carol" : "gw")}}
            }
            children {
              net {
                local_ts = {{(gateway ? "10.2.0.0/24" : "dynamic")}}
                remote_ts = {{(gateway ? "dynamic" : "10.2.0.0/24")}}
              }
            }
          }
        }
        secrets {
          ike-ra {
            id-1 = carol
            id-2 = gw
            secret = "vici-pool-psk-0123456789"
          }
        }
        {{pools}}
        """;

    [Fact]
    public async Task Load_all_loads_pools_a_client_gets_its_address_from_them_and_load_pools_unloads_them()
    {
        await StartEmptyAsync();
        string pool = "pools {\n  rw_pool {\n    addrs = 10.3.0.0/24\n    dns = 10.3.0.53, 10.3.0.54\n  }\n}";
        string file = _dir.Write("gw/swanctl.conf", RemoteAccessFile(gateway: true, pool));
        var load = Swanctl.Run(Vici, null, "--load-all", "--file", file);
        Assert.True(load.Succeeded, load.Describe());
        Assert.Contains("loaded pool 'rw_pool'", load.StandardOutput);
        Assert.Contains("successfully loaded 1 pools, 0 unloaded", load.StandardOutput);
        Assert.Contains("successfully loaded 1 connections, 0 unloaded", load.StandardOutput);
        Assert.Contains("rw_pool              10.3.0.0                            0 / 0 / 254", Swanctl.Run(Vici, null, "--list-pools").EnsureSuccess().StandardOutput);

        string rw = _dir.Write("rw/swanctl.conf", RemoteAccessFile(gateway: false, "") + PetrelSection(vici: false));
        await StartAsync(rw, SocketB, "127.0.0.2");
        var (code, _, err) = ControlCli.Run(SocketB, ["up", "ra", "--timeout", "20"]);
        Assert.True(code == 0, err);
        var sa = JsonNode.Parse(ControlCli.Run(SocketB, ["list-sas", "--json"]).Out)!.AsArray().Single()!;
        Assert.Equal(["10.3.0.1"], sa["local_vips"]!.AsArray().Select(v => (string?)v));
        string leases = Swanctl.Run(Vici, null, "--list-pools", "--leases").EnsureSuccess().StandardOutput;
        Assert.Contains("rw_pool              10.3.0.0                            1 / 0 / 254", leases);
        Assert.Contains("  10.3.0.1                       online   'carol'", leases);

        // A file without the pool: swanctl unloads it, which fails while the lease is online.
        File.WriteAllText(file, RemoteAccessFile(gateway: true, ""));
        var busy = Swanctl.Run(Vici, null, "--load-pools", "--file", file);
        Assert.Contains("unloading pool 'rw_pool' failed: pool 'rw_pool' has 1 online lease(s)", busy.StandardError);
        Assert.Contains("no pools found, 0 unloaded", busy.StandardOutput);
        Assert.Contains("1 / 0 / 254", Swanctl.Run(Vici, null, "--list-pools").EnsureSuccess().StandardOutput);
        Assert.True(ControlCli.Run(SocketB, ["down", "ra", "--timeout", "20"]).Code == 0);
        for (int i = 0; i < 100 && Swanctl.Run(Vici, null, "--list-pools").EnsureSuccess().StandardOutput.Contains(" 1 / 0 / 254", StringComparison.Ordinal); i++)
            await Task.Delay(100);
        var unload = Swanctl.Run(Vici, null, "--load-pools", "--file", file);
        Assert.True(unload.Succeeded, unload.Describe());
        Assert.Contains("no pools found, 1 unloaded", unload.StandardOutput);
        Assert.DoesNotContain("rw_pool", Swanctl.Run(Vici, null, "--list-pools").EnsureSuccess().StandardOutput);
    }

    [Theory]
    [InlineData("pools {\n  p {\n    addrs = 10.4.0.0/24\n    split_include = 10.0.0.0/8\n  }\n}", "loading pool 'p' failed: vici load-pool: key 'split_include' in pools.p is not supported by Petrel yet")]
    [InlineData("pools {\n  p {\n    dns = 10.4.0.53\n  }\n}", "loading pool 'p' failed: vici load-pool: pools.p: 'addrs' (a subnet such as 10.3.0.0/24 or a range 10.3.0.10-10.3.0.50) is missing")]
    [InlineData("pools {\n  p {\n    addrs = 10.4.0.0/24\n  }\n  q {\n    addrs = 10.4.0.128/25\n  }\n}", "loading pool 'q' failed: vici load-pool: pool 'q' (10.4.0.128/25) overlaps pool 'p' (10.4.0.0/24, vici load-pool)")]
    public async Task Load_pools_refuses_what_the_file_loader_refuses(string pools, string expected)
    {
        await StartEmptyAsync();
        string file = _dir.Write("bad/swanctl.conf", pools);
        var load = Swanctl.Run(Vici, null, "--load-pools", "--file", file);
        Assert.False(load.Succeeded);
        Assert.Contains(expected, load.StandardError);
    }
}
