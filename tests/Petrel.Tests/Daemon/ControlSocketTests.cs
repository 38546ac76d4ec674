using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Cli;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// The daemon in-process with a fake engine and no TUN or sockets besides the control socket,
/// driven through the control socket by the real CLI code.
/// </summary>
public sealed class ControlSocketTests : IAsyncLifetime
{
    private static readonly string[] IkeSaFields =
        ["name", "version", "state", "local_host", "remote_host", "local_id", "remote_id", "initiator", "encr", "integ", "prf", "dh", "established_seconds", "children"];

    private static readonly string[] ChildSaFields =
        ["name", "state", "mode", "protocol", "spi_in", "spi_out", "encr", "integ", "local_ts", "remote_ts", "bytes_in", "bytes_out", "packets_in", "packets_out"];

    private readonly TempConfigDir _dir = new();
    private readonly FakeEngine _engine = new();
    private FakePlatform _platform = null!;
    private PetrelDaemon _daemon = null!;
    private string _configPath = null!;

    // Unix socket paths are limited to 108 bytes, so keep the socket short and in /tmp.
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"pt-{Guid.NewGuid():N}"[..11] + ".sock");

    public async Task InitializeAsync()
    {
        _configPath = Path.Combine(_dir.Path, "swanctl.conf");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "data", "ikev2-psk.left.swanctl.conf"), _configPath);
        File.AppendAllText(_configPath, "\npetrel {\n  export_keys = yes\n}\n");
        _platform = new FakePlatform(_engine);
        _daemon = new PetrelDaemon(SwanctlLoader.Load(_configPath), _socket, _platform, NullLoggerFactory.Instance);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _dir.Dispose();
    }

    private (int Code, string Out, string Err) Cli(params string[] args) => ControlCli.Run(_socket, args);

    [Fact]
    public void List_conns_json_describes_the_loaded_connection_without_secrets()
    {
        var (code, output, err) = Cli("list-conns", "--json");
        Assert.True(code == 0, err);
        var conns = Assert.IsType<JsonArray>(JsonNode.Parse(output));
        var lab = Assert.IsType<JsonObject>(Assert.Single(conns));
        Assert.Equal("lab", (string?)lab["name"]);
        Assert.Equal("IKEv2", (string?)lab["version"]);
        Assert.Equal("198.18.0.2", (string?)lab["remote_addrs"]![0]);
        Assert.Equal(3, lab["proposals"]!.AsArray().Count);
        Assert.Equal("left", (string?)lab["local"]!["id"]);
        Assert.Equal("psk", (string?)lab["remote"]!["auth"]);
        var net = lab["children"]![0]!;
        Assert.Equal("net", (string?)net["name"]);
        Assert.Equal("TUNNEL", (string?)net["mode"]);
        Assert.Equal("10.1.0.0/24", (string?)net["local_ts"]![0]);
        Assert.Equal(3600, (long)net["rekey_time"]!);
        Assert.DoesNotContain("lab-psk-0123456789", output);
        Assert.DoesNotContain("secret", output);
    }

    [Fact]
    public void List_conns_text_resembles_swanctl()
    {
        var (code, output, _) = Cli("list-conns");
        Assert.Equal(0, code);
        string text = output.ReplaceLineEndings("\n");
        Assert.StartsWith("lab: IKEv2, no reauthentication, rekeying every 14400s\n  local:  198.18.0.1\n  remote: 198.18.0.2\n", text);
        Assert.Contains("  proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 ", text);
        Assert.Contains("  local pre-shared key authentication:\n    id: left\n", text);
        Assert.Contains("  remote pre-shared key authentication:\n    id: right\n", text);
        Assert.Contains("  net: TUNNEL, rekeying every 3600s, start_action none\n    local:  10.1.0.0/24\n    remote: 10.2.0.0/24\n", text);
        Assert.Contains("    proposals: ESP:AES_GCM_16_128/NO_EXT_SEQ ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ", text);
    }

    [Fact]
    public void List_sas_json_is_empty_then_has_the_spec_fields_after_up()
    {
        var (code, output, _) = Cli("list-sas", "--json");
        Assert.Equal(0, code);
        Assert.Empty(Assert.IsType<JsonArray>(JsonNode.Parse(output)));

        var up = Cli("up", "lab", "--child", "net", "--timeout", "5");
        Assert.True(up.Code == 0, up.Err);
        Assert.Contains("established", up.Out);

        (code, output, _) = Cli("list-sas", "--json");
        Assert.Equal(0, code);
        var sa = Assert.IsType<JsonObject>(Assert.Single(Assert.IsType<JsonArray>(JsonNode.Parse(output))));
        foreach (var f in IkeSaFields)
            Assert.True(sa.ContainsKey(f), $"IKE SA lacks '{f}'");
        Assert.Equal("ESTABLISHED", (string?)sa["state"]);
        Assert.Equal(2, (int)sa["version"]!);
        Assert.True((bool)sa["initiator"]!);
        Assert.Equal(5, (long)sa["established_seconds"]!);
        var child = Assert.IsType<JsonObject>(Assert.Single(sa["children"]!.AsArray()));
        foreach (var f in ChildSaFields)
            Assert.True(child.ContainsKey(f), $"CHILD SA lacks '{f}'");
        Assert.Equal("INSTALLED", (string?)child["state"]);
        Assert.Equal(840UL, (ulong)child["bytes_in"]!);
        Assert.Equal(20UL, (ulong)child["packets_out"]!);
        Assert.Equal("10.2.0.0/24", (string?)child["remote_ts"]![0]);
        Assert.Equal(10000, (long)sa["rekey_seconds"]!);
        Assert.Null(sa["reauth_seconds"]);
        Assert.Equal(3060, (long)child["rekey_seconds"]!);
        Assert.Equal(3960, (long)child["expire_seconds"]!);
    }

    [Fact]
    public void List_sas_text_resembles_swanctl()
    {
        Assert.Equal(0, Cli("up", "lab").Code);
        var (code, output, _) = Cli("list-sas");
        Assert.Equal(0, code);
        Assert.Contains("lab: #1, ESTABLISHED, IKEv2, 0123456789abcdef_i* fedcba9876543210_r", output);
        Assert.Contains("local  'left' @ 198.18.0.1", output);
        Assert.Contains("AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048", output);
        Assert.Contains("net: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16_128", output);
        Assert.Contains("in  c1a2b3c4,        840 bytes,       10 packets", output);
        // swanctl's timers: IKE rekey in 10000 s, CHILD rekey in 3060 s and hard expiry in 3960 s.
        Assert.Contains("established 5s ago, rekeying in 2 hours", output);
        Assert.DoesNotContain("reauth in", output);
        Assert.Contains("installed 3s ago, rekeying in 51 minutes, expires in 66 minutes", output);
        Assert.Contains("remote 10.2.0.0/24", output);
    }

    [Fact]
    public void Up_of_an_unknown_connection_or_child_is_one_line_and_non_zero()
    {
        var (code, output, err) = Cli("up", "lab2");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal("petrel: no connection named 'lab2'\n", err.ReplaceLineEndings("\n"));
        var child = Cli("up", "lab", "--child", "web");
        Assert.Equal(1, child.Code);
        Assert.Equal("petrel: connection 'lab' has no child named 'web'", child.Err.Trim());
    }

    [Fact]
    public void Up_honours_the_timeout_when_the_engine_does_not_answer()
    {
        _engine.Hang.Add("lab");
        var started = DateTime.UtcNow;
        var (code, _, err) = Cli("up", "lab", "--timeout", "0.3");
        Assert.Equal(1, code);
        Assert.Contains("did not finish within 0.3 s", err);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Down_deletes_the_sa()
    {
        Assert.Equal(0, Cli("up", "lab").Code);
        var down = Cli("down", "lab");
        Assert.True(down.Code == 0, down.Err);
        Assert.Contains("deleted", down.Out);
        Assert.Empty(JsonNode.Parse(Cli("list-sas", "--json").Out)!.AsArray());
    }

    [Fact]
    public void Reload_with_a_broken_file_keeps_the_running_config_and_a_fixed_one_applies()
    {
        File.AppendAllText(_configPath, "connections {\n  lab2 {\n    proposal = aes128-sha256-modp2048\n  }\n}\n");
        var (code, _, err) = Cli("reload");
        Assert.Equal(1, code);
        Assert.Contains("the running configuration is unchanged", err);
        Assert.Contains("unknown key 'proposal' in connections.lab2 (did you mean 'proposals'?)", err);
        Assert.Single(JsonNode.Parse(Cli("list-conns", "--json").Out)!.AsArray());

        File.WriteAllText(_configPath, File.ReadAllText(_configPath).Replace("proposal = aes128", "proposals = aes128"));
        var ok = Cli("reload");
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("loaded 2 connection(s)", ok.Out);
        var names = JsonNode.Parse(Cli("list-conns", "--json").Out)!.AsArray().Select(c => (string?)c!["name"]).ToList();
        Assert.Equal(["lab", "lab2"], names);
    }

    [Fact]
    public void Export_keys_writes_wireshark_uat_tables()
    {
        Assert.Equal(0, Cli("up", "lab").Code);
        string dir = Path.Combine(_dir.Path, "ws");
        var (code, output, err) = Cli("export-keys", "--wireshark", dir);
        Assert.True(code == 0, err);
        Assert.Contains("wrote 1 IKEv2 SA(s)", output);
        var ike = File.ReadAllLines(Path.Combine(dir, "ikev2_decryption_table")).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(
            "0123456789abcdef,fedcba9876543210,00112233445566778899aabbccddeeff,ffeeddccbbaa99887766554433221100,\"AES-CBC-128 [RFC3602]\"," +
            "0101010101010101010101010101010101010101010101010101010101010101,0202020202020202020202020202020202020202020202020202020202020202,\"HMAC_SHA2_256_128 [RFC4868]\"",
            Assert.Single(ike));
        var esp = File.ReadAllLines(Path.Combine(dir, "esp_sa")).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(
            "\"IPv4\",\"198.18.0.1\",\"198.18.0.2\",\"0xd5e6f708\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x000102030405060708090a0b0c0d0e0f10111213\",\"NULL\",\"\"",
            Assert.Single(esp));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "esp_sa")));
    }

    [Fact]
    public void Version_reports_client_and_daemon()
    {
        var (code, output, _) = Cli("version");
        Assert.Equal(0, code);
        Assert.Contains($"petrel {PetrelVersion.Text}", output);
        Assert.Contains($"daemon {PetrelVersion.Text}", output);
    }

    [Fact]
    public async Task Engine_calls_all_run_on_one_thread()
    {
        Assert.Equal(0, Cli("up", "lab").Code);
        Cli("list-sas", "--json");
        Cli("list-conns", "--json");
        await Task.Delay(EngineLoop.TickInterval * 3);
        Assert.True(_engine.Ticks > 0);
        lock (_engine.Calls)
            Assert.Single(_engine.Threads);
    }

    [Fact]
    public void Socket_is_private_to_its_owner()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_socket));
    }

    [Fact]
    public async Task Malformed_requests_get_an_error_and_the_connection_stays_usable()
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(_socket));
        await using var stream = new NetworkStream(s);
        using var reader = new StreamReader(stream);
        await stream.WriteAsync(Encoding.UTF8.GetBytes("not json\n{\"command\":42}\n{\"command\":\"fly\"}\n{\"command\":\"list-sas\"}\n"));
        async Task<string> NextError()
        {
            var answer = JsonNode.Parse((await reader.ReadLineAsync())!)!;
            Assert.False((bool)answer["ok"]!);
            return (string)answer["error"]!;
        }
        Assert.StartsWith("request is not JSON", await NextError());
        Assert.Equal("request must be a JSON object with a \"command\" string", await NextError());
        Assert.Equal("unknown command 'fly'", await NextError());
        var ok = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.True((bool)ok["ok"]!);
        Assert.IsType<JsonArray>(ok["result"]);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_and_the_daemon_keeps_serving()
    {
        using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await s.ConnectAsync(new UnixDomainSocketEndPoint(_socket));
            await using var stream = new NetworkStream(s);
            using var reader = new StreamReader(stream);
            var junk = new byte[200_000];
            new Random(7).NextBytes(junk);
            for (int i = 0; i < junk.Length; i++)
                if (junk[i] == (byte)'\n') junk[i] = 0;
            try { await stream.WriteAsync(junk); } catch (IOException) { }
            var answer = JsonNode.Parse((await reader.ReadLineAsync())!)!;
            Assert.Contains("request longer than", (string)answer["error"]!);
        }
        Assert.Equal(0, Cli("list-conns", "--json").Code);
    }

    [Fact]
    public async Task Stop_deletes_established_sas_and_removes_the_socket()
    {
        Assert.Equal(0, Cli("up", "lab").Code);
        await _daemon.StopAsync(TimeSpan.FromSeconds(2));
        Assert.Contains("terminate lab ", _engine.Calls);
        Assert.True(_platform.Disposed);
        Assert.False(File.Exists(_socket));
        var (code, _, err) = Cli("list-sas");
        Assert.Equal(1, code);
        Assert.Equal($"petrel: cannot reach the daemon at {_socket}: No such file or directory", err.Trim());
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_socket_is_refused()
    {
        var other = new PetrelDaemon(SwanctlLoader.Load(_configPath), _socket, new FakePlatform(new FakeEngine()), NullLoggerFactory.Instance);
        var e = await Assert.ThrowsAsync<IOException>(other.StartAsync);
        Assert.Contains("another daemon is already listening", e.Message);
        await other.StopAsync(TimeSpan.FromSeconds(1));
        Assert.True(File.Exists(_socket));
    }
}
