using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Daemon.Events;
using Petrel.Tests.Config;
using Petrel.Tests.Daemon;
using Petrel.Vici;

namespace Petrel.Tests.Vici;

/// <summary>
/// Events over vici, fed by the daemon's event feed: swanctl --monitor-sa sees ike-updown and child-updown,
/// swanctl --log streams the daemon's log, and swanctl --initiate prints its connection's lines (control-log).
/// </summary>
public sealed class ViciEventTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Harness.LoopbackPorts.NextPair();
    private readonly List<PetrelDaemon> _daemons = [];
    private readonly List<ILoggerFactory> _loggers = [];
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private string Vici => Path.Combine(Path.GetTempPath(), $"pe-{_tag}.vici");

    private string Config(string local, string remote, string localId, string remoteId, string lts, string rts, bool vici) => $$"""
        connections {
          lab {
            local_addrs = {{local}}
            remote_addrs = {{remote}}
            local_port = {{_port}}
            remote_port = {{_port}}
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
                local_ts = {{lts}}
                remote_ts = {{rts}}
              }
            }
          }
        }
        secrets {
          ike-lab {
            id-1 = left
            id-2 = right
            secret = "vici-events-psk-0123456789"
          }
        }
        petrel {
          ike_port = {{_port}}
          natt_port = {{_port + 1}}
          {{(vici ? $"vici = {Vici}" : "")}}
        }
        """;

    public async Task InitializeAsync()
    {
        await StartAsync("a.conf", Config("127.0.0.1", "127.0.0.2", "left", "right", "10.1.0.0/24", "10.2.0.0/24", vici: true), "127.0.0.1");
        await StartAsync("b.conf", Config("127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24", "10.1.0.0/24", vici: false), "127.0.0.2");
    }

    /// <summary>A daemon whose log goes into its feed, as DaemonRunner wires it.</summary>
    private async Task StartAsync(string file, string text, string address)
    {
        var feed = new EventHub();
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FeedLoggerProvider(feed)));
        _loggers.Add(loggers);
        var daemon = new PetrelDaemon(SwanctlLoader.Load(_dir.Write(file, text)), Path.Combine(Path.GetTempPath(), $"pe-{_tag}-{address}.sock"),
            new LoopbackPlatform(IPAddress.Parse(address)), loggers, feed);
        _daemons.Add(daemon);
        await daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _daemons)
            await d.DisposeAsync();
        foreach (var l in _loggers)
            l.Dispose();
        _dir.Dispose();
    }

    private async Task WaitForListenersAsync(string name, int count)
    {
        for (int i = 0; i < 200 && _daemons[0].Vici!.Listeners(name) < count; i++)
            await Task.Delay(50);
        Assert.Equal(count, _daemons[0].Vici!.Listeners(name));
    }

    [Fact]
    public async Task Monitor_sa_sees_the_ike_and_child_sa_come_up_and_go_down()
    {
        using var monitor = new SwanctlListener(Vici, "--monitor-sa", "--raw");
        await WaitForListenersAsync("child-updown", 1);

        Swanctl.Run(Vici, null, "--initiate", "--child", "net").EnsureSuccess();
        var sa = Assert.Single(await _daemons[0].Loop.InvokeAsync(e => e.ListSas()));
        Swanctl.Run(Vici, null, "--terminate", "--ike", "lab").EnsureSuccess();
        await monitor.WaitForAsync(o => o.Contains("ike-updown event {lab {", StringComparison.Ordinal)
            && o.Contains("child-updown event {lab {", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        string output = monitor.Stop();

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string ikeUp = Assert.Single(lines, l => l.StartsWith("ike-updown event {up=yes", StringComparison.Ordinal));
        Assert.Contains($"lab {{uniqueid={sa.UniqueId} version=2 state=ESTABLISHED", ikeUp);
        Assert.Contains($"initiator-spi={sa.InitiatorSpi} responder-spi={sa.ResponderSpi}", ikeUp);
        string childUp = Assert.Single(lines, l => l.StartsWith("child-updown event {up=yes", StringComparison.Ordinal));
        Assert.Contains($"child-sas {{net-{sa.Children[0].UniqueId} {{name=net", childUp);
        Assert.Contains($"spi-in={sa.Children[0].SpiIn} spi-out={sa.Children[0].SpiOut}", childUp);
        // Going down: the events without up = yes.
        Assert.Contains(lines, l => l.StartsWith("ike-updown event {lab {", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("child-updown event {lab {", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_raw_listener_gets_ike_updown_with_the_list_sa_fields()
    {
        using var client = new ViciTestClient(Vici);
        client.Send(ViciPacketType.EventRegister, "ike-updown", []);
        Assert.Equal(ViciPacketType.EventConfirm, client.Receive()!.Value.Type);
        Swanctl.Run(Vici, null, "--initiate", "--ike", "lab").EnsureSuccess();
        var e = client.Receive(TimeSpan.FromSeconds(10));
        Assert.NotNull(e);
        Assert.Equal(ViciPacketType.Event, e.Value.Type);
        Assert.Equal("ike-updown", e.Value.Name);
        Assert.True(ViciReader.TryDecode(e.Value.Message.Span, out var m, out string error), error);
        Assert.Equal("yes", m.Text("up"));
        var lab = m.Section("lab")!;
        Assert.Equal("ESTABLISHED", lab.Text("state"));
        Assert.Equal("left", lab.Text("local-id"));
        Assert.Equal("right", lab.Text("remote-id"));
        Assert.Equal("yes", lab.Text("initiator"));
        Assert.Null(lab.Section("child-sas"));
    }

    [Fact]
    public async Task Log_streams_the_daemons_lines_and_initiate_prints_its_connections_lines()
    {
        using var log = new SwanctlListener(Vici, "--log");
        await WaitForListenersAsync("log", 1);

        var up = Swanctl.Run(Vici, null, "--initiate", "--child", "net");
        Assert.True(up.Succeeded, up.Describe());
        // control-log: the connection's own lines, printed by swanctl before its verdict.
        Assert.Matches(@"\[IKE\] .*IKE_SA lab\[\d+\]", up.StandardOutput);
        Assert.Contains("initiate completed successfully", up.StandardOutput);

        await log.WaitForAsync(o => o.Contains("[CFG] vici: initiate 'lab' child 'net'", StringComparison.Ordinal)
            && System.Text.RegularExpressions.Regex.IsMatch(o, @"00\[IKE\] .*lab\[\d+\]"), TimeSpan.FromSeconds(15));
        string lines = log.Stop();
        Assert.Matches(@"00\[IKE\] .*lab\[\d+\]", lines);
        Assert.Contains("[CFG] vici: initiate 'lab' child 'net'", lines);
        // Nobody listens any more: the relay has left the log feed.
        for (int i = 0; i < 100 && _daemons[0].Vici!.Listeners("log") > 0; i++) await Task.Delay(50);
        Assert.Equal(0, _daemons[0].Vici!.Listeners("log"));
    }

    private static ViciMessage Decode(ViciPacket packet)
    {
        Assert.True(ViciReader.TryDecode(packet.Message.Span, out var m, out string error), error);
        return m;
    }

    [Fact]
    public async Task Rekeys_raise_ike_rekey_and_child_rekey_with_the_old_and_the_new_sa()
    {
        using var client = new ViciTestClient(Vici);
        foreach (var name in (string[])["ike-rekey", "child-rekey"])
        {
            client.Send(ViciPacketType.EventRegister, name, []);
            Assert.Equal(ViciPacketType.EventConfirm, client.Receive()!.Value.Type);
        }
        Swanctl.Run(Vici, null, "--initiate", "--child", "net").EnsureSuccess();
        var before = Assert.Single(await _daemons[0].Loop.InvokeAsync(e => e.ListSas()));
        var oldChild = Assert.Single(before.Children);

        Swanctl.Run(Vici, null, "--rekey", "--child", "net").EnsureSuccess();
        var childEvent = client.Receive(TimeSpan.FromSeconds(15));
        Assert.NotNull(childEvent);
        Assert.Equal("child-rekey", childEvent.Value.Name);
        var lab = Decode(childEvent.Value).Section("lab")!;
        Assert.Equal(before.UniqueId.ToString(), lab.Text("uniqueid"));
        var net = lab.Section("child-sas")!.Section("net")!;
        Assert.Equal(oldChild.UniqueId.ToString(), net.Section("old")!.Text("uniqueid"));
        Assert.Equal(oldChild.SpiIn, net.Section("old")!.Text("spi-in"));
        string newChildId = net.Section("new")!.Text("uniqueid")!;
        Assert.NotEqual(oldChild.UniqueId.ToString(), newChildId);
        Assert.Equal("INSTALLED", net.Section("new")!.Text("state"));
        Assert.NotEqual(oldChild.SpiIn, net.Section("new")!.Text("spi-in"));

        Swanctl.Run(Vici, null, "--rekey", "--ike", "lab").EnsureSuccess();
        var ikeEvent = client.Receive(TimeSpan.FromSeconds(15));
        Assert.NotNull(ikeEvent);
        Assert.Equal("ike-rekey", ikeEvent.Value.Name);
        lab = Decode(ikeEvent.Value).Section("lab")!;
        Assert.Equal(before.UniqueId.ToString(), lab.Section("old")!.Text("uniqueid"));
        Assert.Equal(before.InitiatorSpi, lab.Section("old")!.Text("initiator-spi"));
        var after = Assert.Single(await _daemons[0].Loop.InvokeAsync(e => e.ListSas()), s => s.State == "ESTABLISHED");
        Assert.Equal(after.UniqueId.ToString(), lab.Section("new")!.Text("uniqueid"));
        Assert.Equal(after.InitiatorSpi, lab.Section("new")!.Text("initiator-spi"));
        Assert.Equal("ESTABLISHED", lab.Section("new")!.Text("state"));
        Assert.Null(lab.Section("old")!.Section("child-sas"));
    }

    /// <summary>
    /// ike-update (charon: an IKE SA's endpoints are about to change): the new endpoints at the top, then the SA as
    /// list-sa shows it with the old ones. The move itself is the engine's (Petrel.Ike.Tests IkeUpdateTests); here its
    /// event, as the engine publishes it, reaches a registered vici client.
    /// </summary>
    [Fact]
    public async Task A_peer_moving_raises_ike_update_with_the_new_and_the_old_endpoints()
    {
        Swanctl.Run(Vici, null, "--initiate", "--child", "net").EnsureSuccess();
        var sa = Assert.Single(await _daemons[0].Loop.InvokeAsync(e => e.ListSas()));
        using var client = new ViciTestClient(Vici);
        client.Send(ViciPacketType.EventRegister, "ike-update", []);
        Assert.Equal(ViciPacketType.EventConfirm, client.Receive()!.Value.Type);

        _daemons[0].Feed.Publish(new Petrel.Ike.Engine.SaEvent
        {
            Kind = Petrel.Ike.Engine.SaEventKind.IkeUpdate, Time = DateTimeOffset.UtcNow, Connection = "lab", IkeSaId = sa.UniqueId,
            IkeState = sa.State, LocalHost = sa.LocalHost, RemoteHost = sa.RemoteHost, LocalPort = sa.LocalPort, RemotePort = sa.RemotePort,
            NewLocalHost = sa.LocalHost, NewLocalPort = sa.LocalPort, NewRemoteHost = sa.RemoteHost, NewRemotePort = 4611,
        });
        var e = client.Receive(TimeSpan.FromSeconds(15));
        Assert.NotNull(e);
        Assert.Equal("ike-update", e.Value.Name);
        var m = Decode(e.Value);
        Assert.Equal("4611", m.Text("remote-port"));
        Assert.Equal("127.0.0.2", m.Text("remote-host"));
        Assert.Equal("127.0.0.1", m.Text("local-host"));
        var lab = m.Section("lab")!;
        Assert.Equal(sa.UniqueId.ToString(), lab.Text("uniqueid"));
        Assert.Equal(sa.RemotePort.ToString(), lab.Text("remote-port"));
        Assert.Equal("ESTABLISHED", lab.Text("state"));
    }
}
