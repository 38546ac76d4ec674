using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Cli;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// Two daemons in this process, each with the real IKE engine, talking IKEv2 over loopback UDP on
/// unprivileged ports, driven by the CLI through their control sockets: the whole path from
/// "petrel up" to list-sas JSON, without root.
/// </summary>
public sealed class LoopbackDaemonTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Harness.LoopbackPorts.NextPair();
    private readonly List<PetrelDaemon> _daemons = [];
    private string _socketA = "", _socketB = "";

    private string Config(string local, string remote, string localId, string remoteId, string localTs, string remoteTs, string encap, string startAction = "none") => $$"""
        connections {
          lab {
            local_addrs = {{local}}
            remote_addrs = {{remote}}
            local_port = {{_port}}
            remote_port = {{_port}}
            encap = {{encap}}
            proposals = aes128-sha256-modp2048
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
                esp_proposals = aes128gcm16
                start_action = {{startAction}}
              }
            }
          }
        }
        secrets {
          ike-lab {
            id-1 = left
            id-2 = right
            secret = "loopback-psk-0123456789"
          }
        }
        petrel {
          export_keys = yes
          ike_port = {{_port}}
          natt_port = {{_port + 1}}
        }
        """;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync(string encap, string startActionB = "none")
    {
        string tag = Guid.NewGuid().ToString("N")[..6];
        _socketA = Path.Combine(Path.GetTempPath(), $"pt-a-{tag}.sock");
        _socketB = Path.Combine(Path.GetTempPath(), $"pt-b-{tag}.sock");
        var a = SwanctlLoader.Load(_dir.Write("a.conf", Config("127.0.0.1", "127.0.0.2", "left", "right", "10.1.0.0/24", "10.2.0.0/24", encap)));
        var b = SwanctlLoader.Load(_dir.Write("b.conf", Config("127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24", "10.1.0.0/24", encap, startActionB)));
        _daemons.Add(new PetrelDaemon(a, _socketA, new LoopbackPlatform(IPAddress.Parse("127.0.0.1")), NullLoggerFactory.Instance));
        _daemons.Add(new PetrelDaemon(b, _socketB, new LoopbackPlatform(IPAddress.Parse("127.0.0.2")), NullLoggerFactory.Instance));
        foreach (var d in _daemons)
            await d.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _daemons)
            await d.DisposeAsync();
        _dir.Dispose();
    }

    private static (int Code, string Out, string Err) Cli(string socket, params string[] args) => ControlCli.Run(socket, args);

    private static JsonArray Sas(string socket)
    {
        var (code, output, err) = Cli(socket, "list-sas", "--json");
        Assert.True(code == 0, err);
        return JsonNode.Parse(output)!.AsArray();
    }

    [Theory]
    [InlineData("no")]
    [InlineData("yes")]
    public async Task Up_establishes_an_ike_and_child_sa_seen_by_both_daemons_and_down_removes_them(string encap)
    {
        await StartAsync(encap);
        var up = Cli(_socketA, "up", "lab", "--child", "net", "--timeout", "20");
        Assert.True(up.Code == 0, up.Err);

        var a = Assert.IsType<JsonObject>(Assert.Single(Sas(_socketA)));
        Assert.Equal("ESTABLISHED", (string?)a["state"]);
        Assert.True((bool)a["initiator"]!);
        Assert.Equal("left", (string?)a["local_id"]);
        Assert.Equal("right", (string?)a["remote_id"]);
        Assert.Equal("AES_CBC_128", (string?)a["encr"]);
        Assert.Equal("MODP_2048", (string?)a["dh"]);
        var childA = Assert.IsType<JsonObject>(Assert.Single(a["children"]!.AsArray()));
        Assert.Equal("INSTALLED", (string?)childA["state"]);
        Assert.Equal("10.2.0.0/24", (string?)childA["remote_ts"]![0]);
        Assert.Equal(0UL, (ulong)childA["replay_drops"]!);
        Assert.Equal(0UL, (ulong)childA["integrity_failures"]!);

        // The responder has the same SA with the SPIs mirrored.
        var sasB = Sas(_socketB);
        var b = Assert.IsType<JsonObject>(Assert.Single(sasB));
        Assert.Equal("ESTABLISHED", (string?)b["state"]);
        Assert.False((bool)b["initiator"]!);
        Assert.Equal((string?)a["initiator_spi"], (string?)b["initiator_spi"]);
        var childB = Assert.IsType<JsonObject>(Assert.Single(b["children"]!.AsArray()));
        Assert.Equal((string?)childA["spi_in"], (string?)childB["spi_out"]);
        Assert.Equal((string?)childA["spi_out"], (string?)childB["spi_in"]);

        var down = Cli(_socketA, "down", "lab", "--timeout", "20");
        Assert.True(down.Code == 0, down.Err);
        Assert.Empty(Sas(_socketA));
        for (int i = 0; i < 150 && Sas(_socketB).Count > 0; i++)
            await Task.Delay(100);
        Assert.Empty(Sas(_socketB));
    }

    [Fact]
    public async Task Start_action_start_initiates_when_the_daemon_loads()
    {
        await StartAsync("no", startActionB: "start");
        for (int i = 0; i < 100 && Sas(_socketA).Count == 0; i++)
            await Task.Delay(100);
        var a = Assert.IsType<JsonObject>(Assert.Single(Sas(_socketA)));
        Assert.False((bool)a["initiator"]!);
        for (int i = 0; i < 100 && (string?)Sas(_socketA)[0]!["state"] != "ESTABLISHED"; i++)
            await Task.Delay(100);
        Assert.Equal("ESTABLISHED", (string?)Sas(_socketA)[0]!["state"]);
        Assert.True((bool)Sas(_socketB)[0]!["initiator"]!);
    }

    [Fact]
    public async Task Reload_keeps_sas_of_unchanged_connections()
    {
        await StartAsync("no");
        Assert.Equal(0, Cli(_socketA, "up", "lab", "--timeout", "20").Code);
        string before = (string)Sas(_socketA)[0]!["initiator_spi"]!;
        var reload = Cli(_socketA, "reload");
        Assert.True(reload.Code == 0, reload.Err);
        var sa = Assert.Single(Sas(_socketA));
        Assert.Equal(before, (string?)sa!["initiator_spi"]);
        Assert.Equal("ESTABLISHED", (string?)sa["state"]);
    }

    [Fact]
    public async Task Stopping_the_initiator_deletes_the_sa_at_the_peer()
    {
        await StartAsync("no");
        Assert.Equal(0, Cli(_socketA, "up", "lab", "--timeout", "20").Code);
        Assert.Single(Sas(_socketB));
        await _daemons[0].StopAsync(TimeSpan.FromSeconds(5));
        for (int i = 0; i < 150 && Sas(_socketB).Count > 0; i++)
            await Task.Delay(100);
        Assert.Empty(Sas(_socketB));
    }

    [Fact]
    public async Task Export_keys_after_up_writes_one_ike_row_and_two_esp_rows()
    {
        await StartAsync("no");
        Assert.Equal(0, Cli(_socketA, "up", "lab", "--timeout", "20").Code);
        string dir = Path.Combine(_dir.Path, "keys");
        var (code, output, err) = Cli(_socketA, "export-keys", "--wireshark", dir);
        Assert.True(code == 0, err);
        Assert.Contains("wrote 1 IKEv2 SA(s)", output);
        Assert.Contains("and 2 ESP SA(s)", output);
        var ike = File.ReadAllLines(Path.Combine(dir, "ikev2_decryption_table")).Single(l => !l.StartsWith('#'));
        Assert.Matches("^[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]+,[0-9a-f]+,\"AES-CBC-128 \\[RFC3602\\]\",[0-9a-f]+,[0-9a-f]+,\"HMAC_SHA2_256_128 \\[RFC4868\\]\"$", ike);
        var esp = File.ReadAllLines(Path.Combine(dir, "esp_sa")).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(2, esp.Count);
        Assert.All(esp, row => Assert.Matches("^\"IPv4\",\"127\\.0\\.0\\.[12]\",\"127\\.0\\.0\\.[12]\",\"0x[0-9a-f]{8}\",\"[^\"]+\",\"0x[0-9a-f]+\",\"[^\"]*\",\"[^\"]*\"$", row));
    }

    [Fact]
    public async Task Start_action_trap_is_listed_by_list_pols_up_negotiates_and_down_keeps_the_trap()
    {
        await StartAsync("no", startActionB: "trap");
        var pols = JsonNode.Parse(Cli(_socketB, "list-pols", "--json").Out)!.AsArray();
        var pol = Assert.IsType<JsonObject>(Assert.Single(pols));
        Assert.Equal(("lab", "net", "trap", false), ((string?)pol["connection"], (string?)pol["child"], (string?)pol["state"], (bool)pol["temporary"]!));
        Assert.Equal("10.1.0.0/24", (string?)pol["remote_ts"]![0]);
        var text = Cli(_socketB, "list-pols").Out;
        Assert.Contains($"lab/net, reqid {(uint)pol["reqid"]!}, TRAP, TUNNEL", text);
        Assert.Contains("  remote: 10.1.0.0/24", text);
        Assert.Empty(Sas(_socketB));
        Assert.Equal("no trap policies installed", Cli(_socketA, "list-pols").Out.Trim());

        var up = Cli(_socketB, "up", "lab", "--child", "net", "--timeout", "20");
        Assert.True(up.Code == 0, up.Err);
        Assert.Equal("active", (string?)JsonNode.Parse(Cli(_socketB, "list-pols", "--json").Out)!.AsArray()[0]!["state"]);

        var down = Cli(_socketB, "down", "lab", "--timeout", "20");
        Assert.True(down.Code == 0, down.Err);
        Assert.Empty(Sas(_socketB));
        Assert.Equal("trap", (string?)Assert.Single(JsonNode.Parse(Cli(_socketB, "list-pols", "--json").Out)!.AsArray())!["state"]);
    }
}
