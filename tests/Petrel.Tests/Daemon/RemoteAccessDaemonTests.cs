using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// Two daemons in this process on loopback: "rw" asks for a virtual IP (vips = 0.0.0.0), "gw" leases it from
/// pools { rw { … } }; list-sas shows it on both sides, list-pools shows the lease online, then offline after down.
/// </summary>
public sealed class RemoteAccessDaemonTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Harness.LoopbackPorts.NextPair();
    private readonly List<PetrelDaemon> _daemons = [];
    private string _rw = "", _gw = "";

    private string Config(string local, string remote, string localId, string remoteId, string extra, string localTs, string remoteTs, string tail = "") => $$"""
        connections {
          ra {
            local_addrs = {{local}}
            remote_addrs = {{remote}}
            local_port = {{_port}}
            remote_port = {{_port}}
            {{extra}}
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
                local_ts = {{localTs}}
                remote_ts = {{remoteTs}}
              }
            }
          }
        }
        secrets {
          ike-ra {
            id-1 = carol
            id-2 = gw
            secret = "remote-access-psk-0123456789"
          }
        }
        petrel {
          ike_port = {{_port}}
          natt_port = {{_port + 1}}
        }
        {{tail}}
        """;

    public async Task InitializeAsync()
    {
        string tag = Guid.NewGuid().ToString("N")[..6];
        _rw = Path.Combine(Path.GetTempPath(), $"pt-rw-{tag}.sock");
        _gw = Path.Combine(Path.GetTempPath(), $"pt-gw-{tag}.sock");
        var rw = SwanctlLoader.Load(_dir.Write("rw.conf", Config("127.0.0.1", "127.0.0.2", "carol", "gw", "vips = 0.0.0.0", "dynamic", "10.2.0.0/24")));
        var gw = SwanctlLoader.Load(_dir.Write("gw.conf", Config("127.0.0.2", "127.0.0.1", "gw", "carol", "pools = rw_pool", "10.2.0.0/24", "dynamic",
            "pools {\n  rw_pool {\n    addrs = 10.3.0.0/24\n    dns = 10.3.0.53\n  }\n}")));
        _daemons.Add(new PetrelDaemon(rw, _rw, new LoopbackPlatform(IPAddress.Parse("127.0.0.1")), NullLoggerFactory.Instance));
        _daemons.Add(new PetrelDaemon(gw, _gw, new LoopbackPlatform(IPAddress.Parse("127.0.0.2")), NullLoggerFactory.Instance));
        foreach (var d in _daemons)
            await d.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _daemons)
            await d.DisposeAsync();
        _dir.Dispose();
    }

    private static string Run(string socket, params string[] args)
    {
        var (code, output, err) = ControlCli.Run(socket, args);
        Assert.True(code == 0, err);
        return output;
    }

    [Fact]
    public void Virtual_ip_is_leased_listed_on_both_sides_and_goes_offline_after_down()
    {
        Assert.Contains("rw_pool              10.3.0.0/24                                0 /   0 / 254", Run(_gw, "list-pools"));

        Run(_rw, "up", "ra", "--timeout", "20");

        var rw = JsonNode.Parse(Run(_rw, "list-sas", "--json"))!.AsArray().Single()!;
        Assert.Equal(["10.3.0.1"], rw["local_vips"]!.AsArray().Select(v => (string?)v));
        Assert.Empty(rw["remote_vips"]!.AsArray());
        Assert.Equal("10.3.0.1/32", (string?)rw["children"]![0]!["local_ts"]![0]);
        var gw = JsonNode.Parse(Run(_gw, "list-sas", "--json"))!.AsArray().Single()!;
        Assert.Equal(["10.3.0.1"], gw["remote_vips"]!.AsArray().Select(v => (string?)v));
        Assert.Equal("10.3.0.1/32", (string?)gw["children"]![0]!["remote_ts"]![0]);
        Assert.Contains("remote 'carol' @ 127.0.0.1 [10.3.0.1]", Run(_gw, "list-sas"));
        Assert.Contains("local  'carol' @ 127.0.0.1 [10.3.0.1]", Run(_rw, "list-sas"));

        Assert.Contains("rw_pool              10.3.0.0/24                                1 /   0 / 254", Run(_gw, "list-pools"));
        Assert.Contains("  10.3.0.1                                online  'carol'", Run(_gw, "list-pools", "--leases"));
        var pools = JsonNode.Parse(Run(_gw, "list-pools", "--leases", "--json"))!.AsArray();
        var pool = pools.Single()!;
        Assert.Equal(("rw_pool", "10.3.0.1", "10.3.0.254", 254, 1, 0), ((string?)pool["name"], (string?)pool["first"], (string?)pool["last"], (int)pool["size"]!, (int)pool["online"]!, (int)pool["offline"]!));
        Assert.Equal("carol", (string?)pool["leases"]![0]!["identity"]);
        Assert.Null(JsonNode.Parse(Run(_gw, "list-pools", "--json"))!.AsArray().Single()!["leases"]);

        Run(_rw, "down", "ra", "--timeout", "20");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (JsonNode.Parse(Run(_gw, "list-sas", "--json"))!.AsArray().Count > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        Assert.Contains("rw_pool              10.3.0.0/24                                0 /   1 / 254", Run(_gw, "list-pools"));
        Assert.Contains("  10.3.0.1                                offline 'carol'", Run(_gw, "list-pools", "--leases"));
    }
}
