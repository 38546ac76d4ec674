using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Cli;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// children.NAME.updown with two loopback daemons: the script records its environment in a file per call,
/// and the test reads what charon's updown plugin would have given it.
/// </summary>
public sealed class UpdownDaemonTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Harness.LoopbackPorts.NextPair();
    private readonly List<PetrelDaemon> _daemons = [];
    private string _socketA = "";

    private string Config(string side, string local, string remote, string localId, string remoteId, string localTs, string remoteTs, string extra) => $$"""
        connections {
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
                updown = {{_dir.Path}}/record.sh {{side}}
                {{extra}}
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
          ike_port = {{_port}}
          natt_port = {{_port + 1}}
        }
        """;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in _daemons)
            await d.DisposeAsync();
        _dir.Dispose();
    }

    private async Task StartAsync()
    {
        // One file per call: side, verb and a sequence number, holding `env` sorted.
        string script = _dir.Write("record.sh", $"""
            #!/bin/sh
            n=$(ls {_dir.Path}/calls 2>/dev/null | wc -l)
            mkdir -p {_dir.Path}/calls
            env | sort > {_dir.Path}/calls/$1-$PLUTO_VERB-$n.tmp
            mv {_dir.Path}/calls/$1-$PLUTO_VERB-$n.tmp {_dir.Path}/calls/$1-$PLUTO_VERB-$n.env
            echo "recorded $1 $PLUTO_VERB"
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string tag = Guid.NewGuid().ToString("N")[..6];
        _socketA = Path.Combine(Path.GetTempPath(), $"pu-a-{tag}.sock");
        string socketB = Path.Combine(Path.GetTempPath(), $"pu-b-{tag}.sock");
        var a = SwanctlLoader.Load(_dir.Write("a.conf", Config("a", "127.0.0.1", "127.0.0.2", "left", "right", "10.1.0.0/24, 10.1.1.0/24", "10.2.0.0/24[tcp/80]", "hostaccess = yes")));
        var b = SwanctlLoader.Load(_dir.Write("b.conf", Config("b", "127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24[tcp/80]", "10.1.0.0/24, 10.1.1.0/24", "")));
        _daemons.Add(new PetrelDaemon(a, _socketA, new LoopbackPlatform(IPAddress.Parse("127.0.0.1")), NullLoggerFactory.Instance));
        _daemons.Add(new PetrelDaemon(b, socketB, new LoopbackPlatform(IPAddress.Parse("127.0.0.2")), NullLoggerFactory.Instance));
        foreach (var d in _daemons)
            await d.StartAsync();
    }

    private List<Dictionary<string, string>> Calls(string prefix) =>
        (Directory.Exists(Path.Combine(_dir.Path, "calls")) ? Directory.GetFiles(Path.Combine(_dir.Path, "calls"), prefix + "*.env") : [])
            .Order(StringComparer.Ordinal)
            .Select(f => File.ReadAllLines(f).Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]))
            .ToList();

    private async Task<List<Dictionary<string, string>>> WaitForCalls(string prefix, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var calls = Calls(prefix);
            if (calls.Count >= count || DateTime.UtcNow > deadline)
                return calls;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Up_and_down_run_the_script_once_per_selector_pair_with_the_pluto_environment()
    {
        await StartAsync();
        var up = ControlCli.Run(_socketA, ["up", "lab", "--child", "net", "--timeout", "20"]);
        Assert.True(up.Code == 0, up.Err);

        // Two local selectors × one remote: two calls on each side.
        var upA = await WaitForCalls("a-up-client-", 2);
        Assert.Equal(2, upA.Count);
        var upB = await WaitForCalls("b-up-client-", 2);
        Assert.Equal(2, upB.Count);

        var first = upA.Single(c => c["PLUTO_MY_CLIENT"] == "10.1.0.0/24");
        var second = upA.Single(c => c["PLUTO_MY_CLIENT"] == "10.1.1.0/24");
        foreach (var c in new[] { first, second })
        {
            Assert.Equal("1.1", c["PLUTO_VERSION"]);
            Assert.Equal("up-client", c["PLUTO_VERB"]);
            Assert.Equal("net", c["PLUTO_CONNECTION"]);
            Assert.Equal("esp", c["PLUTO_PROTO"]);
            Assert.Equal("127.0.0.1", c["PLUTO_ME"]);
            Assert.Equal("127.0.0.2", c["PLUTO_PEER"]);
            Assert.Equal("left", c["PLUTO_MY_ID"]);
            Assert.Equal("right", c["PLUTO_PEER_ID"]);
            Assert.Equal("10.2.0.0/24", c["PLUTO_PEER_CLIENT"]);
            Assert.Equal("10.2.0.0", c["PLUTO_PEER_CLIENT_NET"]);
            Assert.Equal("255.255.255.0", c["PLUTO_PEER_CLIENT_MASK"]);
            Assert.Equal("80", c["PLUTO_PEER_PORT"]);
            Assert.Equal("6", c["PLUTO_PEER_PROTOCOL"]);
            Assert.Equal("0", c["PLUTO_MY_PORT"]);
            Assert.Equal("0", c["PLUTO_MY_PROTOCOL"]);
            Assert.Equal("petrel0", c["PLUTO_INTERFACE"]);
            Assert.Equal("1", c["PLUTO_HOST_ACCESS"]);
            Assert.True(uint.Parse(c["PLUTO_REQID"]) > 0);
            Assert.True(uint.Parse(c["PLUTO_UNIQUEID"]) > 0);
            Assert.False(c.ContainsKey("PLUTO_UDP_ENC"));
            Assert.False(c.ContainsKey("PLUTO_XAUTH_ID"));
            Assert.False(c.ContainsKey("PLUTO_MY_SOURCEIP"));
            Assert.True(c.ContainsKey("PATH"));
            // Only PATH and PLUTO_* reach the script (plus what /bin/sh itself sets).
            Assert.DoesNotContain(c.Keys, k => k is "HOME" or "DOTNET_ROOT" or "USER");
        }
        Assert.Equal(first["PLUTO_REQID"], second["PLUTO_REQID"]);
        // The responder sees the mirror image and no hostaccess.
        var b = upB[0];
        Assert.Equal("10.2.0.0/24", b["PLUTO_MY_CLIENT"]);
        Assert.Equal("80", b["PLUTO_MY_PORT"]);
        Assert.Equal("right", b["PLUTO_MY_ID"]);
        Assert.False(b.ContainsKey("PLUTO_HOST_ACCESS"));

        var down = ControlCli.Run(_socketA, ["down", "lab", "--timeout", "20"]);
        Assert.True(down.Code == 0, down.Err);
        var downA = await WaitForCalls("a-down-client-", 2);
        Assert.Equal(2, downA.Count);
        Assert.Equal(["10.1.0.0/24", "10.1.1.0/24"], downA.Select(c => c["PLUTO_MY_CLIENT"]).Order());
        Assert.All(downA, c => Assert.Equal(first["PLUTO_REQID"], c["PLUTO_REQID"]));
        Assert.Equal(2, (await WaitForCalls("b-down-client-", 2)).Count);
    }
}
