using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Daemon.Events;
using Petrel.Ike.Engine;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>The daemon's event feed (Daemon/Events): fan-out, bounded subscribers, the log provider, the JSON shapes, `petrel log`.</summary>
public sealed class EventFeedTests
{
    private static SaEvent Up(uint id) => new() { Kind = SaEventKind.IkeUp, Time = DateTimeOffset.UtcNow, Connection = "lab", IkeSaId = id, IkeState = "ESTABLISHED" };

    [Fact]
    public async Task Every_subscriber_gets_every_event_in_order_and_recent_keeps_the_last_ones()
    {
        var hub = new EventHub();
        using var a = hub.Subscribe(events: true, LogLevel.None);
        using var b = hub.Subscribe(events: true, LogLevel.None);
        for (uint i = 1; i <= 300; i++) hub.Publish(Up(i));
        foreach (var s in new[] { a, b })
        {
            for (uint i = 1; i <= 300; i++)
            {
                Assert.True(s.Reader.TryRead(out var item));
                Assert.Equal(i, item.Event!.IkeSaId);
            }
            Assert.False(s.Reader.TryRead(out _));
        }
        var recent = hub.Recent();
        Assert.Equal(EventHub.RecentCapacity, recent.Count);
        Assert.Equal(101u, recent[0].IkeSaId);
        Assert.Equal(300u, recent[^1].IkeSaId);
        await Task.CompletedTask;
    }

    [Fact]
    public void A_slow_subscriber_loses_what_does_not_fit_without_blocking_the_publisher_or_others()
    {
        var hub = new EventHub();
        using var slow = hub.Subscribe(events: true, LogLevel.None, capacity: 10);
        using var fast = hub.Subscribe(events: true, LogLevel.None, capacity: 100_000);
        var watch = Stopwatch.StartNew();
        for (uint i = 1; i <= 50_000; i++) hub.Publish(Up(i));
        watch.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"publishing took {watch.Elapsed}");
        Assert.Equal(49_990, slow.Dropped);
        Assert.Equal(0, fast.Dropped);
        int n = 0;
        while (slow.Reader.TryRead(out var item)) Assert.Equal((uint)++n, item.Event!.IkeSaId); // the first ten, then nothing
        Assert.Equal(10, n);
    }

    [Fact]
    public void Log_lines_reach_only_subscribers_of_their_level_and_unsubscribed_feeds_cost_nothing()
    {
        var hub = new EventHub();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FeedLoggerProvider(hub)));
        var log = factory.CreateLogger("Petrel.Ike");
        Assert.False(log.IsEnabled(LogLevel.Critical)); // nobody listens
        using var warn = hub.Subscribe(events: false, LogLevel.Warning);
        using var debug = hub.Subscribe(events: false, LogLevel.Debug);
        Assert.True(log.IsEnabled(LogLevel.Debug));
        Assert.False(log.IsEnabled(LogLevel.Trace));
        log.LogDebug("{IkeSa}: {Event}", "lab[4]", "sending IKE_AUTH");
        log.LogWarning("peer {Peer} is\nodd", "198.18.0.2");
        hub.Publish(Up(1));

        Assert.True(warn.Reader.TryRead(out var w));
        Assert.Equal("peer 198.18.0.2 is | odd", w.Log!.Message);
        Assert.Equal([new("peer", "198.18.0.2")], w.Log.Fields);
        Assert.False(warn.Reader.TryRead(out _)); // no debug line, no SA event (events: false)

        Assert.True(debug.Reader.TryRead(out var d));
        Assert.Equal(LogLevel.Debug, d.Log!.Level);
        Assert.Equal("Petrel.Ike", d.Log.Category);
        Assert.Equal([new("ike_sa", "lab"), new("unique_id", "4")], d.Log.Fields);
    }

    [Fact]
    public void Event_json_names_the_event_as_vici_does_and_carries_the_failure_part()
    {
        var failure = FeedJson.Event(new SaEvent
        {
            Kind = SaEventKind.Failure, Time = new DateTimeOffset(2026, 12, 7, 18, 0, 0, TimeSpan.Zero), Connection = "lab", IkeSaId = 3,
            Failure = SaFailure.TrafficSelector, Message = "traffic selectors unacceptable", RemoteHost = "198.18.0.2",
        });
        Assert.Equal("""{"time":"2026-12-07T18:00:00.000Z","event":"failure","connection":"lab","ike_sa_id":3,"remote_host":"198.18.0.2","failure":"ts","reason":"traffic selectors unacceptable"}""", failure.ToJsonString());
        var down = FeedJson.Event(new SaEvent { Kind = SaEventKind.ChildDown, Time = DateTimeOffset.UnixEpoch, Connection = "lab", IkeSaId = 3, Child = "net", ChildSaId = 7, ChildState = "DESTROYING", Message = "deleted" });
        Assert.Equal("child-updown", (string?)down["event"]);
        Assert.False((bool)down["up"]!);
        Assert.Equal(7u, (uint)down["child_sa_id"]!);
        var rekey = FeedJson.Event(new SaEvent { Kind = SaEventKind.IkeRekey, Time = DateTimeOffset.UnixEpoch, Connection = "lab", IkeSaId = 3, NewIkeSaId = 4 });
        Assert.Equal(("ike-rekey", 4u), ((string?)rekey["event"], (uint)rekey["new_ike_sa_id"]!));
    }

    [Fact]
    public void Json_log_format_is_one_object_per_line_with_the_text_formats_fields()
    {
        var line = new LogLine(new DateTimeOffset(2026, 12, 7, 18, 1, 2, 345, TimeSpan.Zero), LogLevel.Warning, "Petrel.Ike", "say \"hi\" | bye",
            [new("ike_sa", "lab"), new("unique_id", "12")], "IOException: gone");
        string json = JsonLogFormatter.Format(line);
        Assert.DoesNotContain('\n', json);
        Assert.Equal("""{"time":"2026-12-07T18:01:02.345Z","level":"warn","category":"Petrel.Ike","message":"say \"hi\" | bye","ike_sa":"lab","unique_id":12,"exception":"IOException: gone"}""", json);
        Assert.Equal("2026-12-07T18:01:02.345Z warn  Petrel.Ike: say \"hi\" | bye ike_sa=lab unique_id=12 exception=IOException: gone", PetrelLogFormatter.Format(line));
    }

    [Fact]
    public void Json_formatter_writes_what_the_logger_was_given()
    {
        var state = new List<KeyValuePair<string, object?>> { new("IkeSa", "lab[3]"), new("Event", "up\nnow"), new("{OriginalFormat}", "{IkeSa}: {Event}") };
        var entry = new Microsoft.Extensions.Logging.Abstractions.LogEntry<List<KeyValuePair<string, object?>>>(LogLevel.Information, "Petrel.Ike", default, state, null, (_, _) => "lab[3]: up\nnow");
        var writer = new StringWriter();
        new JsonLogFormatter().Write(entry, null, writer);
        string text = writer.ToString();
        Assert.EndsWith("\n", text);
        var o = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(("info", "lab[3]: up | now", "lab", 3), ((string?)o["level"], (string?)o["message"], (string?)o["ike_sa"], (int)o["unique_id"]!));
    }

    [Fact]
    public void Log_format_is_text_by_default_json_when_asked_and_refused_otherwise()
    {
        Assert.Equal("text", SwanctlLoader.LoadText("petrel {\n}\n", "/etc/swanctl/swanctl.conf").Daemon.LogFormat);
        Assert.Equal("json", SwanctlLoader.LoadText("petrel {\n log_format = json\n}\n", "/etc/swanctl/swanctl.conf").Daemon.LogFormat);
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("petrel {\n log_format = xml\n}\n", "/etc/swanctl/swanctl.conf"));
        Assert.Contains("swanctl.conf:2", e.Message);
        Assert.Contains("'xml' is not a log format (text or json)", e.Message);
    }

    [Fact]
    public async Task Petrel_log_streams_lines_and_events_through_the_control_socket_until_the_client_leaves()
    {
        using var dir = new TempConfigDir();
        string config = Path.Combine(dir.Path, "swanctl.conf");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "data", "ikev2-psk.left.swanctl.conf"), config);
        string socketPath = Path.Combine(Path.GetTempPath(), $"pl-{Guid.NewGuid():N}"[..11] + ".sock");
        var hub = new EventHub();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FeedLoggerProvider(hub)));
        var engine = new FakeEngine();
        await using var daemon = new PetrelDaemon(SwanctlLoader.Load(config), socketPath, new FakePlatform(engine), loggers, hub);
        await daemon.StartAsync();

        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream);
        await stream.WriteAsync(Encoding.UTF8.GetBytes("""{"command":"log","level":"info","events":true}""" + "\n"));
        var first = ControlResponse.Parse((await reader.ReadLineAsync())!);
        Assert.True(first.Ok, first.Error);
        Assert.Contains("streaming the log at level info and SA events", first.Message);
        Assert.Equal(1, hub.Subscribers);

        var up = await Petrel.Cli.ControlClient.SendAsync(socketPath, new ControlRequest("up", "lab"), TimeSpan.FromSeconds(10));
        Assert.True(up.Ok, up.Error);
        var seen = new List<JsonObject>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!seen.Exists(o => o["event"] is not null) || !seen.Exists(o => ((string?)o["log"]?["message"])?.Contains("control: initiate lab") == true))
            seen.Add(JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!.AsObject());
        var ev = seen.First(o => o["event"] is not null)["event"]!;
        Assert.Equal(("ike-updown", "lab", true), ((string?)ev["event"], (string?)ev["connection"], (bool)ev["up"]!));
        Assert.Equal("Petrel.Daemon.ControlHandler", (string?)seen.First(o => o["log"] is not null)["log"]!["category"]);

        client.Shutdown(SocketShutdown.Both);
        client.Close();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (hub.Subscribers != 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, hub.Subscribers);
    }

    [Fact]
    public async Task Petrel_log_refuses_an_unknown_level()
    {
        using var dir = new TempConfigDir();
        string config = Path.Combine(dir.Path, "swanctl.conf");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "data", "ikev2-psk.left.swanctl.conf"), config);
        string socketPath = Path.Combine(Path.GetTempPath(), $"pl-{Guid.NewGuid():N}"[..11] + ".sock");
        await using var daemon = new PetrelDaemon(SwanctlLoader.Load(config), socketPath, new FakePlatform(new FakeEngine()), NullLoggerFactory.Instance);
        await daemon.StartAsync();
        var r = await Petrel.Cli.ControlClient.SendAsync(socketPath, new ControlRequest("log", Level: "loud"), TimeSpan.FromSeconds(10));
        Assert.False(r.Ok);
        Assert.Contains("unknown log level 'loud'", r.Error);
    }
}
