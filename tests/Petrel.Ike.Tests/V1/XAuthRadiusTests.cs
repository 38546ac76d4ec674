using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Petrel.Ike.Config;
using Petrel.Ike.Pools;
using Petrel.Ike.Radius;
using Petrel.Ike.Tests.Ike;
using Petrel.Ike.Tests.Radius;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// auth = xauth-radius between two engines: carol (left, XAuth client, vips = 0.0.0.0) and the gateway (right) whose
/// XAuth round asks an in-process RADIUS server with User-Name and User-Password (PAP). The server reads the hidden
/// password with the shared secret as a real one does, and accepts, rejects or stays silent; accounting follows.
/// RADIUS answers reach the gateway only when the test drains its engine-thread queue.
/// </summary>
public sealed class XAuthRadiusTests
{
    private const string Password = "carol's PAP password";
    private static readonly IPEndPoint Server = new(IPAddress.Parse("192.0.2.50"), 1812), Accounting = new(IPAddress.Parse("192.0.2.50"), 1813);
    private static readonly byte[] Secret = "radius-secret"u8.ToArray();

    private sealed class PapBackend(string password, byte[]? framedIp, bool silent)
    {
        public List<string> Revealed { get; } = [];

        public RadiusPacket? Handle(RadiusPacket request)
        {
            if (request.Code == RadiusCode.AccountingRequest)
                return new RadiusPacket(RadiusCode.AccountingResponse, request.Identifier, new byte[16]);
            if (silent) return null;
            var hidden = request.Find(RadiusAttributeType.UserPassword)!.Value.Value;
            string given = Encoding.UTF8.GetString(RadiusUserPassword.Reveal(hidden, Secret, request.Authenticator));
            lock (Revealed) Revealed.Add(given);
            if (given != password)
                return new RadiusPacket(RadiusCode.AccessReject, request.Identifier, new byte[16])
                    .Add(RadiusAttribute.Text(RadiusAttributeType.ReplyMessage, "bad password"));
            var accept = new RadiusPacket(RadiusCode.AccessAccept, request.Identifier, new byte[16])
                .Add(new RadiusAttribute(RadiusAttributeType.VendorSpecific, [0, 0, 1, 55, RadiusAttributeType.MsPrimaryDnsServer, 6, 10, 2, 0, 53]));
            if (framedIp is not null) accept.Add(new RadiusAttribute(RadiusAttributeType.FramedIpAddress, framedIp));
            return accept;
        }
    }

    private sealed class Setup
    {
        public required ExchangeFixture F { get; init; }
        public required InMemoryRadius Radius { get; init; }
        public required PapBackend Backend { get; init; }
        public required ConcurrentQueue<Action> EngineThread { get; init; }

        public List<RadiusPacket> AccessRequests => [.. Radius.Seen.Where(s => s.Request.Code == RadiusCode.AccessRequest).Select(s => s.Request)];
        public List<RadiusPacket> AccountingRecords => [.. Radius.Seen.Where(s => s.Request.Code == RadiusCode.AccountingRequest).Select(s => s.Request)];
        public string Logs => $"--- left\n{F.Left.Log.All}\n--- right\n{F.Right.Log.All}";

        public InitiateResult? Initiate()
        {
            InitiateResult? result = null;
            F.Left.Engine.Initiate("rw", null, r => result = r);
            RunUntil(() => result is not null);
            return result;
        }

        /// <summary>Delivers IKE and hands RADIUS answers to the gateway's thread until <paramref name="done"/> (RADIUS runs on the pool: real time).</summary>
        public void RunUntil(Func<bool> done)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!done() && DateTime.UtcNow < deadline)
            {
                F.Network.Run();
                if (EngineThread.TryDequeue(out var a)) a();
                else Thread.Sleep(5);
            }
            F.Network.Run();
        }
    }

    private static Setup Create(string clientPassword = Password, byte[]? framedIp = null, bool silent = false, bool accounting = true)
    {
        var f = new ExchangeFixture();
        var carol = V1Fixture.Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "carol@example.org", "gw",
            "aes128-sha256-modp2048", "aes128-sha256", ["dynamic"], ["10.2.0.0/24"]);
        carol = new ConnectionConfig
        {
            Name = "rw", Version = 1, LocalAddrs = carol.LocalAddrs, RemoteAddrs = carol.RemoteAddrs, Proposals = carol.Proposals, DpdDelay = TimeSpan.Zero,
            Local = carol.Local, Remote = carol.Remote, Children = carol.Children, XAuthLocal = new AuthConfig { Auth = "xauth", XAuthId = "carol" },
            Vips = [IPAddress.Any],
        };
        var gw = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "gw", "carol@example.org",
            "aes128-sha256-modp2048", "aes128-sha256", ["10.2.0.0/24"], ["dynamic"]);
        gw = new ConnectionConfig
        {
            Name = "rw", Version = 1, LocalAddrs = gw.LocalAddrs, RemoteAddrs = gw.RemoteAddrs, Proposals = gw.Proposals, DpdDelay = TimeSpan.Zero,
            Local = gw.Local, Remote = gw.Remote, Children = gw.Children, XAuthRemote = new AuthConfig { Auth = "xauth-radius" }, Pools = ["rw"],
        };
        var psk = EnginePeer.Secret("group-psk-group-psk", "carol@example.org", "gw");
        f.Left.Engine.Load([carol], [psk, new SharedSecret { Ids = ["carol"], Secret = Encoding.UTF8.GetBytes(clientPassword), Kind = "xauth" }]);
        // The gateway holds no xauth secret at all: only RADIUS knows carol's password.
        f.Right.Engine.Load([gw], [psk]);
        Assert.True(AddressRange.TryParse("10.3.0.0/24", out var range, out _));
        f.Right.Engine.Pools.Load([new AddressPoolConfig { Name = "rw", Addresses = range!, Dns = [IPAddress.Parse("10.3.0.53")] }]);

        var radius = new InMemoryRadius();
        var backend = new PapBackend(Password, framedIp, silent);
        radius.Serve(Server, Secret, backend.Handle);
        radius.Serve(Accounting, Secret, backend.Handle);
        var queue = new ConcurrentQueue<Action>();
        var settings = new RadiusSettings
        {
            Servers = [new RadiusServer { Name = "radius", Address = Server.Address, Secret = Secret }],
            Accounting = accounting,
            RetransmitTimeout = TimeSpan.FromMilliseconds(200),
            RetransmitBase = 1.0,
            RetransmitTries = 2,
        };
        f.Right.Engine.Radius = new RadiusService(new RadiusClient(settings, radius.Factory), queue.Enqueue);
        return new Setup { F = f, Radius = radius, Backend = backend, EngineThread = queue };
    }

    private static uint Status(RadiusPacket record) =>
        record.Find(RadiusAttributeType.AcctStatusType)!.Value.TryGetInteger(out uint status) ? status : 0;

    [Fact]
    public void Radius_accepts_the_user_the_tunnel_gets_a_pool_address_and_the_session_is_accounted()
    {
        var s = Create();
        var result = s.Initiate();
        Assert.True(result is { Success: true }, $"{result?.Message}\n{s.Logs}");

        var request = Assert.Single(s.AccessRequests);
        Assert.Equal("carol", Encoding.UTF8.GetString(request.Find(RadiusAttributeType.UserName)!.Value.Value));
        var hidden = request.Find(RadiusAttributeType.UserPassword)!.Value.Value;
        Assert.Equal(32, hidden.Length); // 20 octets padded to two blocks
        Assert.DoesNotContain("PAP", Encoding.Latin1.GetString(hidden));
        Assert.Equal([Password], s.Backend.Revealed);
        Assert.NotNull(request.Find(RadiusAttributeType.MessageAuthenticator));
        Assert.NotNull(request.Find(RadiusAttributeType.CallingStationId));

        Assert.Contains("XAuth user 'carol': asking the RADIUS server, deferred until it answers", s.F.Right.Log.All);
        Assert.Contains("XAuth authentication of 'carol' successful (RADIUS server RADIUS server 'radius' (192.0.2.50))", s.F.Right.Log.All);
        Assert.Equal("ESTABLISHED", s.F.RightSa.State);
        Assert.Equal(["10.3.0.1"], s.F.RightSa.RemoteVips);
        Assert.Equal(["10.3.0.1"], s.F.LeftSa.LocalVips);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(s.F.RightSa.Children).RemoteTs);
        // list-sas names the XAuth user on both sides: the gateway's peer, the client's own.
        Assert.Equal(("carol", false), (s.F.RightSa.XAuthIdentity, s.F.RightSa.XAuthLocal));
        Assert.Equal(("carol", true), (s.F.LeftSa.XAuthIdentity, s.F.LeftSa.XAuthLocal));
        // DNS from RADIUS (MS-Primary-DNS-Server) and from the pool both reach the client.
        Assert.Contains("10.2.0.53", s.F.Left.Log.All);
        Assert.Contains("10.3.0.53", s.F.Left.Log.All);

        s.RunUntil(() => s.AccountingRecords.Count >= 1);
        var start = Assert.Single(s.AccountingRecords);
        Assert.Equal(RadiusAccounting.StatusStart, Status(start));
        Assert.Equal("carol", Encoding.UTF8.GetString(start.Find(RadiusAttributeType.UserName)!.Value.Value));
        Assert.Equal([10, 3, 0, 1], start.Find(RadiusAttributeType.FramedIpAddress)!.Value.Value);

        s.F.Left.Engine.Terminate("rw", null, _ => { });
        s.RunUntil(() => s.AccountingRecords.Count >= 2);
        var stop = s.AccountingRecords[1];
        Assert.Equal(RadiusAccounting.StatusStop, Status(stop));
        Assert.Equal(start.Find(RadiusAttributeType.AcctSessionId)!.Value.Value, stop.Find(RadiusAttributeType.AcctSessionId)!.Value.Value);
        Assert.True(stop.Find(RadiusAttributeType.AcctTerminateCause)!.Value.TryGetInteger(out uint cause));
        Assert.Equal(RadiusAccounting.CauseUserRequest, cause);
        Assert.DoesNotContain(Password, s.F.Left.Log.All + s.F.Right.Log.All);
    }

    [Fact]
    public void Framed_ip_address_from_radius_wins_over_the_pool()
    {
        var s = Create(framedIp: [10, 9, 0, 77]);
        var result = s.Initiate();
        Assert.True(result is { Success: true }, $"{result?.Message}\n{s.Logs}");
        Assert.Equal(["10.9.0.77"], s.F.RightSa.RemoteVips);
        Assert.Equal(["10.9.0.77"], s.F.LeftSa.LocalVips);
        Assert.Equal(["10.9.0.77/32"], Assert.Single(s.F.RightSa.Children).RemoteTs);
        Assert.Contains("assigning virtual IP 10.9.0.77 to peer 'carol' from the RADIUS server (Framed-IP-Address)", s.F.Right.Log.All);
        Assert.Empty(Assert.Single(s.F.Right.Engine.Pools.List(true)).Leases);
    }

    [Fact]
    public void A_wrong_password_is_refused_with_radius_reply_message_and_nothing_is_accounted()
    {
        var s = Create(clientPassword: "not carol's password");
        var result = s.Initiate();
        Assert.False(result!.Success, s.Logs);
        Assert.Contains("XAuth authentication of 'carol' (myself) failed: the server refused it (XAUTH_STATUS FAIL)", result.Message);
        Assert.Contains("XAuth authentication of 'carol' failed: RADIUS server 'radius' (192.0.2.50) rejected 'carol' (Access-Reject: bad password)", s.F.Right.Log.All);
        Assert.Equal(["not carol's password"], s.Backend.Revealed);
        Assert.Empty(s.F.Left.Engine.ListSas());
        Assert.Empty(s.F.Right.Engine.ListSas());
        Assert.Empty(s.AccountingRecords);
        Assert.Empty(Assert.Single(s.F.Right.Engine.Pools.List(true)).Leases);
        Assert.DoesNotContain("not carol's password", s.F.Left.Log.All + s.F.Right.Log.All);
    }

    [Fact]
    public void A_silent_radius_server_refuses_the_user_with_the_reason()
    {
        var s = Create(silent: true);
        var result = s.Initiate();
        Assert.False(result!.Success, s.Logs);
        Assert.Contains("XAuth authentication of 'carol' failed: no RADIUS answer: RADIUS server 'radius' (192.0.2.50) did not answer (2 tries)", s.F.Right.Log.All);
        Assert.Equal(2, s.AccessRequests.Count);
        Assert.Empty(s.F.Right.Engine.ListSas());
    }

    [Fact]
    public void An_answer_for_an_sa_that_is_gone_is_ignored()
    {
        var s = Create();
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("rw", null, r => result = r);
        s.F.Network.Run();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (s.EngineThread.IsEmpty && DateTime.UtcNow < deadline) Thread.Sleep(5);
        Assert.False(s.EngineThread.IsEmpty, "no RADIUS answer arrived");
        // The gateway drops the half-open SA before the answer is handed over.
        s.F.Right.Engine.Terminate("rw", null, _ => { });
        s.F.Network.Run();
        Assert.Empty(s.F.Right.Engine.ListSas());
        s.RunUntil(() => s.EngineThread.IsEmpty);
        Assert.Contains("after the IKE SA moved on; ignored", s.F.Right.Log.All);
        Assert.Empty(s.F.Right.Engine.ListSas());
        Assert.Empty(s.AccountingRecords);
    }
}
