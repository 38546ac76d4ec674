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
    private readonly int _port = Harness.LoopbackPorts.NextPair();
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

    /// <param name="second">B also gets "lab2", the same connection under another name: its IKE SA lands on A's "lab" as a second one.</param>
    private string ConfigB(bool second = false) =>
        "connections {\n" + Connection("127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24", "10.1.0.0/24")
        + (second ? Connection("127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24", "10.1.0.0/24").Replace("lab {", "lab2 {") : "")
        + "}\n" + Secrets + Petrel(vici: false);

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<PetrelDaemon> StartAsync(string file, string text, string socket, string address)
    {
        var config = SwanctlLoader.Load(_dir.Write(file, text));
        var daemon = new PetrelDaemon(config, socket, new LoopbackPlatform(IPAddress.Parse(address)), NullLoggerFactory.Instance);
        _daemons.Add(daemon);
        await daemon.StartAsync();
        return daemon;
    }

    private async Task StartPairAsync(string extraChild = "", bool second = false)
    {
        await StartAsync("a.conf", ConfigA(extraChild), SocketA, "127.0.0.1");
        await StartAsync("b.conf", ConfigB(second), SocketB, "127.0.0.2");
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

    [Fact]
    public async Task Terminate_by_ike_id_deletes_that_ike_sa_and_leaves_the_other_of_the_same_connection()
    {
        await StartPairAsync(second: true);
        Swan("--initiate", "--child", "net").EnsureSuccess();
        var (code, _, err) = ControlCli.Run(SocketB, ["up", "lab2", "--timeout", "20"]);
        Assert.True(code == 0, err);
        var sas = Sas(SocketA);
        Assert.Equal(2, sas.Count);
        Assert.All(sas, sa => Assert.Equal("lab", (string?)sa!["name"]));
        uint first = (uint)sas[0]!["unique_id"]!, second = (uint)sas[1]!["unique_id"]!;

        var down = Swan("--terminate", "--ike-id", second.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(down.Succeeded, down.Describe());
        Assert.Contains("terminate completed successfully", down.StandardOutput);
        var left = Assert.Single(Sas(SocketA));
        Assert.Equal(first, (uint)left["unique_id"]!);
        Assert.Equal("ESTABLISHED", (string?)left["state"]);
        string list = Swan("--list-sas").EnsureSuccess().StandardOutput;
        Assert.Contains($"lab: #{first}, ESTABLISHED", list);
        Assert.DoesNotContain($"lab: #{second},", list);

        // A CHILD_SA by its id: the IKE SA stays.
        uint child = (uint)left["children"]![0]!["unique_id"]!;
        Assert.True(Swan("--terminate", "--child-id", child.ToString(System.Globalization.CultureInfo.InvariantCulture)).Succeeded);
        var ike = Assert.Single(Sas(SocketA));
        Assert.Equal(first, (uint)ike["unique_id"]!);
        Assert.Empty(ike["children"]!.AsArray());

        var gone = Swan("--terminate", "--ike-id", second.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(gone.Succeeded);
        Assert.Contains("terminate failed: no matching SAs to terminate found", gone.StandardError);
    }

    [Fact]
    public async Task Install_and_uninstall_put_a_trap_policy_in_and_take_it_out()
    {
        await StartPairAsync(extraChild: "ondemand { local_ts = 10.1.7.0/24\n remote_ts = 10.2.7.0/24\n esp_proposals = aes128gcm16 }");
        Assert.DoesNotContain("lab/ondemand", Swan("--list-pols").EnsureSuccess().StandardOutput);

        var install = Swan("--install", "--child", "ondemand");
        Assert.True(install.Succeeded, install.Describe());
        Assert.Contains("install completed successfully", install.StandardOutput);
        string pols = Swan("--list-pols").EnsureSuccess().StandardOutput;
        Assert.Contains("lab/ondemand, TUNNEL", pols);
        Assert.Contains("local:  10.1.7.0/24", pols);

        // A reload of the configuration keeps an installed trap (it is not start_action = trap).
        Assert.True(Swan("--reload-settings").Succeeded);
        Assert.Contains("lab/ondemand, TUNNEL", Swan("--list-pols").EnsureSuccess().StandardOutput);

        var uninstall = Swan("--uninstall", "--child", "ondemand");
        Assert.True(uninstall.Succeeded, uninstall.Describe());
        Assert.Contains("uninstall completed successfully", uninstall.StandardOutput);
        Assert.DoesNotContain("lab/ondemand", Swan("--list-pols").EnsureSuccess().StandardOutput);

        var again = Swan("--uninstall", "--child", "ondemand");
        Assert.False(again.Succeeded);
        Assert.Contains("uninstall failed: policy 'ondemand' does not exist", again.StandardError);
        var unknown = Swan("--install", "--child", "nosuch");
        Assert.False(unknown.Succeeded);
        Assert.Contains("install failed: CHILD_SA config 'nosuch' not found", unknown.StandardError);
    }

    [Fact]
    public async Task Counters_count_and_reset_algorithms_are_listed_and_unbuilt_commands_say_so()
    {
        await StartPairAsync();
        Swan("--initiate", "--child", "net").EnsureSuccess();
        Swan("--rekey", "--child", "net").EnsureSuccess();
        for (int i = 0; i < 100 && !Swan("--counters").EnsureSuccess().StandardOutput.Contains("child-rekey           : 1", StringComparison.Ordinal); i++)
            await Task.Delay(100);
        string counters = Swan("--counters").EnsureSuccess().StandardOutput;
        Assert.StartsWith("global:", counters);
        Assert.Contains("child-rekey           : 1", counters);
        Assert.Contains("ike-init-out-req      : 1", counters);
        Assert.Contains("ike-auth-out-req      : 1", counters);
        Assert.Contains("create-child-out-req  : 1", counters);
        Assert.Matches(@"ike-init-in-resp\s+: 1\n", counters);
        Assert.Matches(@"ike-auth-in-resp\s+: 1\n", counters);
        Assert.Matches(@"create-child-in-resp\s+: 1\n", counters);

        // The connection's own counters (charon's counters plugin: --name, --all).
        var lab = Swan("--counters", "--name", "lab");
        Assert.True(lab.Succeeded, lab.Describe());
        Assert.StartsWith("lab:", lab.StandardOutput);
        foreach (var line in (string[])[@"ike-init-out-req\s+: 1\n", @"ike-auth-out-req\s+: 1\n", @"create-child-out-req\s+: 1\n",
            @"ike-init-in-resp\s+: 1\n", @"ike-auth-in-resp\s+: 1\n", @"create-child-in-resp\s+: 1\n", @"child-rekey\s+: 1\n", @"ike-init-in-req\s+: 0\n"])
            Assert.Matches(line, lab.StandardOutput);
        string all = Swan("--counters", "--all").EnsureSuccess().StandardOutput;
        Assert.StartsWith("lab:", all);
        Assert.DoesNotContain("global:", all);
        var nosuch = Swan("--counters", "--name", "nosuch");
        Assert.False(nosuch.Succeeded);
        Assert.Contains("get-counters failed: no counters found for this connection", nosuch.StandardError);
        Assert.True(Swan("--counters", "--reset", "--name", "lab").Succeeded);
        Assert.Matches(@"ike-auth-out-req\s+: 0\n", Swan("--counters", "--name", "lab").EnsureSuccess().StandardOutput);
        // The global counters keep counting after a connection's reset.
        Assert.Contains("ike-init-out-req      : 1", Swan("--counters").EnsureSuccess().StandardOutput);

        var reset = Swan("--counters", "--reset");
        Assert.True(reset.Succeeded, reset.Describe());
        Assert.Contains("reset-counters completed successfully", reset.StandardOutput);
        counters = Swan("--counters").EnsureSuccess().StandardOutput;
        Assert.Contains("child-rekey           : 0", counters);
        Assert.Contains("ike-init-out-req      : 0", counters);

        string algs = Swan("--list-algs").EnsureSuccess().StandardOutput;
        Assert.Contains("encryption:\n", algs);
        Assert.Contains("\n  AES_CBC_128[AesCbcEncryption]\n", algs);
        Assert.Contains("aead:", algs);
        Assert.Contains("AES_GCM_16_256[", algs);
        Assert.Contains("integrity:\n", algs);
        Assert.Contains("HMAC_SHA2_256_128[", algs);
        Assert.Contains("prf:\n", algs);
        Assert.Contains("ke:\n", algs);
        Assert.Contains("MODP_2048[", algs);
        Assert.Contains("CURVE_25519[", algs);

        // swanctl --flush-certs ignores the reply's verdict; --raw prints it.
        Assert.Contains("flush-certs reply {success=yes}", Swan("--flush-certs", "--raw").EnsureSuccess().StandardOutput);
        Assert.Contains("flush-certs reply {success=yes}", Swan("--flush-certs", "--type", "x509_crl", "--raw").EnsureSuccess().StandardOutput);
        string ocsp = Swan("--flush-certs", "--type", "ocsp_response", "--raw").StandardOutput;
        Assert.Contains("success=no errmsg=Petrel caches no OCSP_RESPONSE credentials", ocsp);

        var redirect = Swan("--redirect", "--ike", "lab", "--gateway", "192.0.2.1");
        Assert.False(redirect.Succeeded);
        Assert.Contains("redirect failed: IKEv2 redirect (RFC 5685) is not supported by Petrel yet", redirect.StandardError);
        // The SA is untouched by all of this.
        Assert.Equal("ESTABLISHED", (string?)Assert.Single(Sas(SocketA))["state"]);
    }

    [Fact]
    public async Task Reload_settings_rereads_the_config_file_and_refuses_a_broken_one()
    {
        await StartPairAsync();
        File.WriteAllText(Path.Combine(_dir.Path, "a.conf"), ConfigA().Replace("children {", "children {\n added { local_ts = 10.1.5.0/24\n remote_ts = 10.2.5.0/24 }"));
        var reload = Swan("--reload-settings");
        Assert.True(reload.Succeeded, reload.Describe());
        Assert.Contains("added: TUNNEL", Swan("--list-conns").EnsureSuccess().StandardOutput);

        File.WriteAllText(Path.Combine(_dir.Path, "a.conf"), ConfigA().Replace("proposals = aes128", "proposal = aes128"));
        var broken = Swan("--reload-settings");
        Assert.False(broken.Succeeded);
        Assert.Contains("reload-settings failed: reload failed, the running configuration is unchanged:", broken.StandardError);
        Assert.Contains("unknown key 'proposal'", broken.StandardError);
        Assert.Contains("added: TUNNEL", Swan("--list-conns").EnsureSuccess().StandardOutput);
    }
}
