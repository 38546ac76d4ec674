using Microsoft.Extensions.Logging;
using Petrel.Daemon;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>UpdownEnvironment (what a call is given) and UpdownRunner (how a script is run), without an engine.</summary>
public sealed class UpdownTests
{
    private static UpdownEnvironment.Snapshot Snapshot(string localHost, string[] localTs, string[] remoteTs, bool nat = false,
        string[]? vips = null, string[]? peerVips = null, string[]? dns = null, AuthRoundInfo[]? rounds = null, uint ifId = 0) =>
        new(new IkeSaInfo
        {
            Name = "conn", UniqueId = 7, State = "ESTABLISHED", LocalHost = localHost, RemoteHost = localHost.Contains(':') ? "2001:db8::2" : "192.0.2.2",
            RemotePort = 4500, LocalId = "me@example.org", RemoteId = "peer@example.org", NatRemote = nat,
            LocalVips = vips ?? [], RemoteVips = peerVips ?? [], Dns = dns ?? [], AuthRounds = rounds ?? [],
        },
        new ChildSaInfo { Name = "child", UniqueId = 9, ReqId = 3, State = "INSTALLED", LocalTs = localTs, RemoteTs = remoteTs },
        new ChildConfig { Name = "child", Updown = "/bin/true", InterfaceIdIn = ifId, InterfaceIdOut = ifId }, "vti00");

    private static Dictionary<string, string> One(UpdownEnvironment.Snapshot s, bool up = true) =>
        Assert.Single(UpdownEnvironment.For(s, up, "/bin")).ToDictionary();

    [Fact]
    public void A_selector_that_is_our_own_address_is_a_host_call()
    {
        var env = One(Snapshot("192.0.2.1", ["192.0.2.1/32"], ["192.0.2.2/32"]), up: false);
        Assert.Equal("down-host", env["PLUTO_VERB"]);
        Assert.Equal("192.0.2.1/32", env["PLUTO_MY_CLIENT"]);
        Assert.Equal("255.255.255.255", env["PLUTO_MY_CLIENT_MASK"]);
    }

    [Fact]
    public void Ipv6_selectors_give_v6_verbs_and_masks()
    {
        var env = One(Snapshot("2001:db8::1", ["2001:db8:1::/48"], ["2001:db8:2::/64"]));
        Assert.Equal("up-client-v6", env["PLUTO_VERB"]);
        Assert.Equal("2001:db8:1::/48", env["PLUTO_MY_CLIENT"]);
        Assert.Equal("ffff:ffff:ffff::", env["PLUTO_MY_CLIENT_MASK"]);
        Assert.Equal("up-host-v6", One(Snapshot("2001:db8::1", ["2001:db8::1/128"], ["2001:db8:2::/64"]))["PLUTO_VERB"]);
    }

    [Fact]
    public void A_range_is_given_as_the_smallest_subnet_holding_it_and_port_ranges_as_from_to()
    {
        var env = One(Snapshot("192.0.2.1", ["10.0.0.5-10.0.0.9[udp/1000-2000]"], ["10.9.0.0/16[tcp/443]"]));
        Assert.Equal("10.0.0.0/28", env["PLUTO_MY_CLIENT"]);
        Assert.Equal("1000:2000", env["PLUTO_MY_PORT"]);
        Assert.Equal("17", env["PLUTO_MY_PROTOCOL"]);
        Assert.Equal("443", env["PLUTO_PEER_PORT"]);
    }

    [Fact]
    public void Nat_virtual_ips_dns_eap_identity_and_if_ids_are_passed_on()
    {
        var env = One(Snapshot("192.0.2.1", ["10.3.0.1/32"], ["0.0.0.0/0"], nat: true, vips: ["10.3.0.1", "fd00::1"], peerVips: [],
            dns: ["10.0.0.53", "fd00::53"], rounds: [new AuthRoundInfo(false, 1, "eap", "peer@example.org", "carol")], ifId: 42));
        Assert.Equal("4500", env["PLUTO_UDP_ENC"]);
        Assert.Equal("10.3.0.1", env["PLUTO_MY_SOURCEIP"]);
        Assert.Equal("10.3.0.1", env["PLUTO_MY_SOURCEIP4_1"]);
        Assert.Equal("fd00::1", env["PLUTO_MY_SOURCEIP6_1"]);
        Assert.False(env.ContainsKey("PLUTO_PEER_SOURCEIP"));
        Assert.Equal("10.0.0.53", env["PLUTO_DNS4_1"]);
        Assert.Equal("fd00::53", env["PLUTO_DNS6_1"]);
        Assert.Equal("carol", env["PLUTO_XAUTH_ID"]);
        Assert.Equal("42", env["PLUTO_IF_ID_IN"]);
        Assert.Equal("42", env["PLUTO_IF_ID_OUT"]);
        Assert.Equal("vti00", env["PLUTO_INTERFACE"]);
        Assert.Equal("0.0.0.0/0", env["PLUTO_PEER_CLIENT"]);
    }

    [Fact]
    public void Each_local_and_remote_pair_of_one_family_is_one_call()
    {
        var calls = UpdownEnvironment.For(Snapshot("192.0.2.1", ["10.1.0.0/24", "10.1.1.0/24", "fd01::/64"], ["10.2.0.0/24", "fd02::/64"]), true, "/bin");
        Assert.Equal(3, calls.Count);
    }

    private sealed class ListLogger : ILogger
    {
        public readonly List<(LogLevel Level, string Text)> Lines = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(condition());
    }

    [Fact]
    public async Task A_hanging_script_is_killed_after_the_timeout_a_failing_one_is_one_warning_and_later_calls_still_run()
    {
        using var dir = new TempConfigDir();
        var log = new ListLogger();
        await using var runner = new UpdownRunner(log, TimeSpan.FromSeconds(1));
        var env = new List<KeyValuePair<string, string>> { new("PATH", "/usr/bin:/bin"), new("PLUTO_VERB", "up-client") };
        runner.Enqueue(new("sleep 60", "hang", env));
        runner.Enqueue(new("exit 3", "fail", env));
        runner.Enqueue(new($"{dir.Path}/missing-script", "missing", env));
        runner.Enqueue(new($"echo \"$PLUTO_VERB\" > {dir.Path}/ran; echo to-stderr >&2", "good", env));
        await WaitForAsync(() => runner.Completed == 4);
        Assert.Equal("up-client", File.ReadAllText(Path.Combine(dir.Path, "ran")).Trim());
        List<(LogLevel Level, string Text)> lines;
        lock (log.Lines) lines = [.. log.Lines];
        Assert.Contains(lines, l => l.Level == LogLevel.Warning && l.Text.Contains("hang") && l.Text.Contains("killed"));
        Assert.Contains(lines, l => l.Level == LogLevel.Warning && l.Text.Contains("fail") && l.Text.Contains("status 3"));
        Assert.Contains(lines, l => l.Level == LogLevel.Warning && l.Text.Contains("missing") && l.Text.Contains("status 127"));
        // stderr is joined to stdout and logged as the script's output.
        Assert.Contains(lines, l => l.Text == "updown: to-stderr");
        Assert.DoesNotContain(lines, l => l.Text.Contains('\n'));
    }
}
