using System.Buffers.Binary;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Ike.Config;
using Petrel.Tests.Config;
using Petrel.Tests.Daemon;
using Petrel.Vici;

namespace Petrel.Tests.Vici;

/// <summary>
/// What no vici client should send, sent to a running daemon: each gets an error reply or a closed
/// connection, and the daemon goes on answering other clients.
/// </summary>
public sealed class ViciServerTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Harness.LoopbackPorts.NextPair();
    private readonly string _vici = Path.Combine(Path.GetTempPath(), $"ps-{Guid.NewGuid().ToString("N")[..6]}.vici");
    private PetrelDaemon? _daemon;

    public async Task InitializeAsync()
    {
        string text = $"petrel {{\n ike_port = {_port}\n natt_port = {_port + 1}\n vici = {_vici}\n}}\n";
        var config = SwanctlLoader.Load(_dir.Write("swanctl.conf", text));
        _daemon = new PetrelDaemon(config, _vici + ".ctl", new LoopbackPlatform(IPAddress.Loopback), NullLoggerFactory.Instance);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null) await _daemon.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A fresh client gets the daemon's version: the server is still serving.</summary>
    private void AssertStillServing()
    {
        using var client = new ViciTestClient(_vici);
        var (response, _) = client.Request("version");
        Assert.NotNull(response);
        Assert.Equal(ViciPacketType.CmdResponse, response.Value.Type);
        Assert.True(ViciReader.TryDecode(response.Value.Message.Span, out var m, out _));
        Assert.Equal("petrel", m.Text("daemon"));
    }

    private static byte[] Length(uint n)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, n);
        return b;
    }

    [Theory]
    [InlineData(ViciPacket.MaxLength + 1u)]
    [InlineData(0u)]
    [InlineData(uint.MaxValue)]
    public void A_length_out_of_bounds_closes_the_connection(uint length)
    {
        using (var client = new ViciTestClient(_vici))
        {
            client.SendRaw(Length(length));
            Assert.Null(client.Receive(TimeSpan.FromSeconds(5)));
        }
        AssertStillServing();
    }

    [Fact]
    public void A_truncated_packet_then_a_hang_up_harms_nothing()
    {
        using (var client = new ViciTestClient(_vici))
        {
            client.SendRaw([.. Length(100), 0, 8, (byte)'l', (byte)'i']);
        }
        AssertStillServing();
    }

    [Theory]
    [InlineData(new byte[] { 9 })]
    [InlineData(new byte[] { (byte)ViciPacketType.CmdResponse })]
    [InlineData(new byte[] { (byte)ViciPacketType.Event, 1, (byte)'x' })]
    [InlineData(new byte[] { (byte)ViciPacketType.CmdRequest, 200, (byte)'x' })]
    public void A_packet_type_the_client_may_not_send_or_a_broken_name_closes_the_connection(byte[] packet)
    {
        using (var client = new ViciTestClient(_vici))
        {
            client.SendRaw([.. Length((uint)packet.Length), .. packet]);
            Assert.Null(client.Receive(TimeSpan.FromSeconds(5)));
        }
        AssertStillServing();
    }

    [Fact]
    public void A_malformed_message_gets_an_error_reply_and_the_connection_stays_usable()
    {
        using var client = new ViciTestClient(_vici);
        var (response, _) = client.Request("list-sas", [1, 1, (byte)'s']); // an unclosed section
        Assert.Equal(ViciPacketType.CmdResponse, response!.Value.Type);
        Assert.True(ViciReader.TryDecode(response.Value.Message.Span, out var m, out _));
        Assert.Equal("no", m.Text("success"));
        Assert.Equal("malformed vici message: 1 section(s) not closed", m.Text("errmsg"));
        var (again, _) = client.Request("version");
        Assert.Equal(ViciPacketType.CmdResponse, again!.Value.Type);
    }

    [Fact]
    public void Unknown_commands_and_events_get_the_unknown_replies()
    {
        using var client = new ViciTestClient(_vici);
        Assert.Equal(ViciPacketType.CmdUnknown, client.Request("no-such-command").Response!.Value.Type);
        client.Send(ViciPacketType.EventRegister, "no-such-event", []);
        Assert.Equal(ViciPacketType.EventUnknown, client.Receive()!.Value.Type);
        client.Send(ViciPacketType.EventRegister, "ike-updown", []);
        Assert.Equal(ViciPacketType.EventConfirm, client.Receive()!.Value.Type);
        client.Send(ViciPacketType.EventUnregister, "ike-updown", []);
        Assert.Equal(ViciPacketType.EventConfirm, client.Receive()!.Value.Type);
    }

    [Fact]
    public void Clients_beyond_the_limit_are_closed_at_once()
    {
        var clients = new List<ViciTestClient>();
        try
        {
            for (int i = 0; i < ViciServer.MaxClients; i++)
            {
                var c = new ViciTestClient(_vici);
                clients.Add(c);
                Assert.NotNull(c.Request("version").Response); // each is served
            }
            using var extra = new ViciTestClient(_vici);
            extra.Send(ViciPacketType.CmdRequest, "version", []);
            Assert.Null(extra.Receive(TimeSpan.FromSeconds(5)));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
        // Once they are gone, new clients are served again.
        for (int i = 0; i < 50; i++)
        {
            try
            {
                AssertStillServing();
                return;
            }
            catch (Xunit.Sdk.XunitException) when (i < 49)
            {
                Thread.Sleep(100);
            }
        }
    }

    [Fact]
    public async Task A_flood_of_load_conn_is_answered_one_by_one_and_unload_conn_frees_them()
    {
        using var client = new ViciTestClient(_vici);
        const int count = 300;
        for (int i = 0; i < count; i++)
        {
            var w = new ViciWriter().BeginSection($"flood{i}")
                .List("remote_addrs", [$"192.0.2.{i % 250 + 1}"])
                .BeginSection("local").Add("auth", "psk").EndSection()
                .BeginSection("remote").Add("auth", "psk").EndSection()
                .EndSection();
            var (response, _) = client.Request("load-conn", w.ToArray());
            Assert.True(ViciReader.TryDecode(response!.Value.Message.Span, out var m, out _));
            Assert.Equal("yes", m.Text("success"));
        }
        Assert.Equal(count, (await _daemon!.Loop.InvokeAsync(e => e.Connections)).Count);
        var (names, _) = client.Request("get-conns");
        Assert.True(ViciReader.TryDecode(names!.Value.Message.Span, out var list, out _));
        Assert.Equal(count, list.List("conns")!.Count);
        for (int i = 0; i < count; i++)
            client.Request("unload-conn", new ViciWriter().Add("name", $"flood{i}").ToArray());
        Assert.Empty(await _daemon.Loop.InvokeAsync(e => e.Connections));
    }

    [Fact]
    public void Load_conn_refuses_values_no_config_file_could_hold()
    {
        using var client = new ViciTestClient(_vici);
        string Error(ViciWriter w)
        {
            var (response, _) = client.Request("load-conn", w.ToArray());
            Assert.True(ViciReader.TryDecode(response!.Value.Message.Span, out var m, out _));
            Assert.Equal("no", m.Text("success"));
            return m.Text("errmsg")!;
        }
        Assert.Contains("not UTF-8", Error(new ViciWriter().BeginSection("x").Add("remote_addrs", [0xff, 0xfe]).EndSection()));
        Assert.Contains("control character", Error(new ViciWriter().BeginSection("x").Add("remote_addrs", "a\nb").EndSection()));
        Assert.Contains("holds a comma", Error(new ViciWriter().BeginSection("x").List("remote_addrs", ["192.0.2.1,192.0.2.2"]).EndSection()));
        Assert.Contains("is not a certificate", Error(new ViciWriter().BeginSection("x").BeginSection("local").List("certs", ["garbage"]).EndSection().EndSection()));
        Assert.Contains("is not a connection name", Error(new ViciWriter().BeginSection("a.b").EndSection()));
        Assert.Equal("load-conn takes one section: the connection", Error(new ViciWriter().Add("x", "y")));
    }

    [Fact]
    public void The_store_holds_at_most_its_limit()
    {
        var store = new ViciStore(maxEntries: 3);
        ConnectionConfig Conn(string name) => new()
        {
            Name = name, Proposals = [], Local = new AuthConfig(), Remote = new AuthConfig(),
        };
        for (int i = 0; i < 3; i++) Assert.True(store.SetConnection(Conn($"c{i}"), new Dictionary<string, (IReadOnlyList<Org.BouncyCastle.X509.X509Certificate>, bool)>()));
        Assert.False(store.SetConnection(Conn("c3"), new Dictionary<string, (IReadOnlyList<Org.BouncyCastle.X509.X509Certificate>, bool)>()));
        Assert.True(store.SetConnection(Conn("c1"), new Dictionary<string, (IReadOnlyList<Org.BouncyCastle.X509.X509Certificate>, bool)>())); // replacing is fine
        Assert.True(store.RemoveConnection("c0"));
        Assert.True(store.SetConnection(Conn("c3"), new Dictionary<string, (IReadOnlyList<Org.BouncyCastle.X509.X509Certificate>, bool)>()));
        for (int i = 0; i < 3; i++) Assert.True(store.SetSecret($"s{i}", new SharedSecret { Secret = [1] }));
        Assert.False(store.SetSecret("s3", new SharedSecret { Secret = [1] }));
        Assert.Equal(["c1", "c2", "c3"], store.ConnectionNames.Order());
    }
}
