using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;
using Petrel.Tests.Daemon;
using Petrel.Tests.Harness;
using Petrel.Vici;

namespace Petrel.Tests.Vici;

/// <summary>
/// strongSwan's swanctl binary, unchanged, against Petrel's vici socket: two daemons in this process with
/// the real IKE engine negotiate over loopback UDP (see <see cref="LoopbackDaemonTests"/>), daemon A has
/// petrel { vici = … }, and every command's printed output is checked against what the daemon holds.
/// </summary>
public sealed class ViciSwanctlTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Random.Shared.Next(15000, 20000) * 2;
    private readonly List<PetrelDaemon> _daemons = [];
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private string Vici => Path.Combine(Path.GetTempPath(), $"pv-{_tag}.vici");
    private string SocketA => Path.Combine(Path.GetTempPath(), $"pv-a-{_tag}.sock");
    private string SocketB => Path.Combine(Path.GetTempPath(), $"pv-b-{_tag}.sock");

    private string Connection(string local, string remote, string localId, string remoteId, string localTs, string remoteTs, string extraChild = "") => $$"""
          lab {
            local_addrs = {{local}}
            remote_addrs = {{remote}}
            local_port = {{_port}}
            remote_port = {{_port}}
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
              }
              {{extraChild}}
            }
          }
        """;

    private const string Secrets = """
        secrets {
          ike-lab {
            id-1 = left
            id-2 = right
            secret = "vici-loopback-psk-0123456789"
          }
        }
        """;

    private string Petrel(bool vici) => $$"""
        petrel {
          ike_port = {{_port}}
          natt_port = {{_port + 1}}
          {{(vici ? $"vici = {Vici}" : "")}}
        }
        """;

    private string ConfigA(string extraChild = "") =>
        "connections {\n" + Connection("127.0.0.1", "127.0.0.2", "left", "right", "10.1.0.0/24", "10.2.0.0/24", extraChild) + "}\n" + Secrets + Petrel(vici: true);

    private string ConfigB() =>
        "connections {\n" + Connection("127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24", "10.1.0.0/24") + "}\n" + Secrets + Petrel(vici: false);

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<PetrelDaemon> StartAsync(string file, string text, string socket, string address)
    {
        var config = SwanctlLoader.Load(_dir.Write(file, text));
        var daemon = new PetrelDaemon(config, socket, new LoopbackPlatform(IPAddress.Parse(address)), NullLoggerFactory.Instance);
        _daemons.Add(daemon);
        await daemon.StartAsync();
        return daemon;
    }

    private async Task StartPairAsync(string extraChild = "")
    {
        await StartAsync("a.conf", ConfigA(extraChild), SocketA, "127.0.0.1");
        await StartAsync("b.conf", ConfigB(), SocketB, "127.0.0.2");
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _daemons)
            await d.DisposeAsync();
        _dir.Dispose();
    }

    private CommandResult Swan(params string[] args) => Swanctl.Run(Vici, null, args);

    private static JsonArray Sas(string socket)
    {
        var (code, output, err) = ControlCli.Run(socket, ["list-sas", "--json"]);
        Assert.True(code == 0, err);
        return JsonNode.Parse(output)!.AsArray();
    }

    [Fact]
    public async Task Vici_socket_has_the_control_sockets_mode()
    {
        await StartPairAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Vici));
        Assert.Equal(File.GetUnixFileMode(SocketA), File.GetUnixFileMode(Vici));
        var version = Swan("--version", "--daemon").EnsureSuccess().StandardOutput;
        Assert.Contains("petrel", version);
        Assert.Contains(PetrelVersion.Text, version);
    }

    [Fact]
    public async Task Swanctl_initiates_lists_rekeys_and_terminates()
    {
        await StartPairAsync(extraChild: "held { local_ts = 10.1.9.0/24\n remote_ts = 10.2.9.0/24\n esp_proposals = aes128gcm16\n start_action = trap }");

        var up = Swan("--initiate", "--ike", "lab", "--child", "net");
        Assert.True(up.Succeeded, up.Describe());
        Assert.Contains("initiate completed successfully", up.StandardOutput);

        var sa = Assert.IsType<JsonObject>(Assert.Single(Sas(SocketA)));
        var child = Assert.IsType<JsonObject>(Assert.Single(sa["children"]!.AsArray()));
        string spiI = (string)sa["initiator_spi"]!, spiR = (string)sa["responder_spi"]!;
        string spiIn = (string)child["spi_in"]!, spiOut = (string)child["spi_out"]!;

        var list = Swan("--list-sas").EnsureSuccess().StandardOutput;
        Assert.Contains($"lab: #{(uint)sa["unique_id"]!}, ESTABLISHED, IKEv2, {spiI}_i* {spiR}_r", list);
        Assert.Contains($"local  'left' @ 127.0.0.1[{_port}]", list);
        Assert.Contains($"remote 'right' @ 127.0.0.2[{_port}]", list);
        Assert.Contains("AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048", list);
        Assert.Contains($"net: #{(uint)child["unique_id"]!}, reqid {(uint)child["reqid"]!}, INSTALLED, TUNNEL, ESP:AES_GCM_16_128", list);
        Assert.Contains($"in  {spiIn},", list);
        Assert.Contains($"out {spiOut},", list);
        Assert.Contains("local  10.1.0.0/24", list);
        Assert.Contains("remote 10.2.0.0/24", list);

        // Filtered by name: nothing for another connection.
        Assert.DoesNotContain("lab:", Swan("--list-sas", "--ike", "other").EnsureSuccess().StandardOutput);

        var stats = Swan("--stats").EnsureSuccess().StandardOutput;
        Assert.Contains("IKE_SAs: 1 total, 0 half-open", stats);

        var conns = Swan("--list-conns").EnsureSuccess().StandardOutput;
        Assert.Contains("lab: IKEv2, no reauthentication, rekeying every 10800s, dpd delay 30s", conns);
        Assert.Contains("local:  127.0.0.1", conns);
        Assert.Contains("remote: 127.0.0.2", conns);
        Assert.Contains("local pre-shared key authentication:", conns);
        Assert.Contains("id: left", conns);
        Assert.Contains("net: TUNNEL, rekeying every 3600s", conns);
        Assert.Contains("held: TUNNEL", conns);

        var pols = Swan("--list-pols").EnsureSuccess().StandardOutput;
        Assert.Contains("lab/held, TUNNEL", pols);
        Assert.Contains("local:  10.1.9.0/24", pols);
        Assert.Contains("remote: 10.2.9.0/24", pols);

        var rekey = Swan("--rekey", "--child", "net");
        Assert.True(rekey.Succeeded, rekey.Describe());
        Assert.Contains("rekey completed successfully", rekey.StandardOutput);
        string? newSpi = null;
        for (int i = 0; i < 100 && newSpi is null; i++)
        {
            await Task.Delay(100);
            var children = Assert.IsType<JsonObject>(Assert.Single(Sas(SocketA)))["children"]!.AsArray();
            foreach (var c in children)
                if ((string?)c!["state"] == "INSTALLED" && (string)c["spi_in"]! != spiIn) newSpi = (string)c["spi_in"]!;
        }
        Assert.NotNull(newSpi);
        Assert.Contains($"in  {newSpi},", Swan("--list-sas").EnsureSuccess().StandardOutput);

        var rekeyIke = Swan("--rekey", "--ike", "lab");
        Assert.True(rekeyIke.Succeeded, rekeyIke.Describe());

        var nothing = Swan("--rekey", "--child", "nosuch");
        Assert.False(nothing.Succeeded);
        Assert.Contains("rekey failed: no matching SAs to rekey found", nothing.StandardError);

        var down = Swan("--terminate", "--ike", "lab");
        Assert.True(down.Succeeded, down.Describe());
        Assert.Contains("terminate completed successfully", down.StandardOutput);
        Assert.Empty(Sas(SocketA));
        Assert.DoesNotContain("ESTABLISHED", Swan("--list-sas").EnsureSuccess().StandardOutput);
    }

    [Fact]
    public async Task Initiate_of_an_unknown_child_fails_with_the_reason()
    {
        await StartPairAsync();
        var r = Swan("--initiate", "--child", "nosuch");
        Assert.False(r.Succeeded);
        Assert.Contains("initiate failed: CHILD_SA config 'nosuch' not found", r.StandardError);
        var t = Swan("--terminate", "--ike", "lab");
        Assert.False(t.Succeeded);
        Assert.Contains("terminate failed: no matching SAs to terminate found", t.StandardError);
    }

    [Fact]
    public async Task Terminate_of_a_child_leaves_the_ike_sa()
    {
        await StartPairAsync();
        Swan("--initiate", "--child", "net").EnsureSuccess();
        var down = Swan("--terminate", "--child", "net");
        Assert.True(down.Succeeded, down.Describe());
        var sa = Assert.IsType<JsonObject>(Assert.Single(Sas(SocketA)));
        Assert.Equal("ESTABLISHED", (string?)sa["state"]);
        Assert.Empty(sa["children"]!.AsArray());
    }
}
