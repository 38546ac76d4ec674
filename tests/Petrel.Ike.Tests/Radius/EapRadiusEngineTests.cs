using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Eap;
using Petrel.Ike.Pools;
using Petrel.Ike.Radius;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Radius;

/// <summary>
/// auth = eap-radius between two engines: left is the client (EAP-MSCHAPv2), right the gateway passing the EAP through
/// to an in-process RADIUS server that runs Petrel's own MSCHAPv2 authenticator and returns the MSK in MS-MPPE keys.
/// RADIUS answers reach the gateway only when the test drains its engine-thread queue, so the client's IKE_AUTH
/// retransmissions meanwhile show that a pending exchange is not asked twice; accounting records, Framed-IP-Address and
/// Access-Reject are checked on the same set-up.
/// </summary>
public sealed class EapRadiusEngineTests
{
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private static readonly IPEndPoint Server = new(IPAddress.Parse("192.0.2.50"), 1812), Accounting = new(IPAddress.Parse("192.0.2.50"), 1813);
    private static readonly byte[] Secret = "radius-secret"u8.ToArray();
    private const string GwDn = "C=CH, O=Petrel Test, CN=gw.petrel.test";

    /// <summary>The RADIUS side: EAP-MSCHAPv2 for carol with one State per conversation; Accounting-Requests acknowledged.</summary>
    private sealed class MsChapV2Backend(string password, byte[]? framedIp = null, IReadOnlyList<RadiusAttribute>? extra = null)
    {
        private readonly Dictionary<string, EapServerSession> _sessions = [];
        private int _next;

        public RadiusPacket? Handle(RadiusPacket request)
        {
            if (request.Code == RadiusCode.AccountingRequest)
                return new RadiusPacket(RadiusCode.AccountingResponse, request.Identifier, new byte[16]);
            var user = Encoding.UTF8.GetString(request.Find(RadiusAttributeType.UserName)!.Value.Value);
            Assert.True(EapPacket.TryDecode(request.EapMessage(), out var eap, out string error), error);
            EapServerStep step;
            string state;
            if (request.Find(RadiusAttributeType.State) is { } s)
            {
                state = Encoding.ASCII.GetString(s.Value);
                step = _sessions[state].Process(eap!);
            }
            else
            {
                Assert.Equal(EapType.Identity, eap!.Type);
                state = $"conversation-{++_next}";
                var session = new EapServerSession(user, false, 7, (identity, id) => new EapMsChapV2Server(new EapServerContext
                {
                    PeerIdentity = identity, ServerIdentity = "radius", FirstIdentifier = id, Random = b => Random.Shared.NextBytes(b),
                    FindSecret = u => u is "carol" or "dave" ? EapSecret.FromPassword(Encoding.UTF8.GetBytes(password)) : null,
                }));
                _sessions[state] = session;
                step = session.Start();
            }
            switch (step.Kind)
            {
                case EapServerStepKind.Request:
                    return new RadiusPacket(RadiusCode.AccessChallenge, request.Identifier, new byte[16])
                        .Add(new RadiusAttribute(RadiusAttributeType.State, Encoding.ASCII.GetBytes(state))).AddEapMessage(step.Packet!.Bytes);
                case EapServerStepKind.Success:
                    var msk = _sessions[state].Msk.ToArray();
                    var accept = new RadiusPacket(RadiusCode.AccessAccept, request.Identifier, new byte[16]).AddEapMessage(step.Packet!.Bytes)
                        .Add(Vendor(RadiusAttributeType.MsMppeRecvKey, MppeKey.Encrypt(msk.AsSpan(0, 32), Secret, request.Authenticator, 0x1234)))
                        .Add(Vendor(RadiusAttributeType.MsMppeSendKey, MppeKey.Encrypt(msk.AsSpan(32, 32), Secret, request.Authenticator, 0x4321)))
                        .Add(Vendor(RadiusAttributeType.MsPrimaryDnsServer, [10, 2, 0, 53]));
                    if (framedIp is not null) accept.Add(new RadiusAttribute(RadiusAttributeType.FramedIpAddress, framedIp));
                    foreach (var a in extra ?? []) accept.Add(a);
                    return accept;
                default:
                    return new RadiusPacket(RadiusCode.AccessReject, request.Identifier, new byte[16]).AddEapMessage(step.Packet!.Bytes)
                        .Add(RadiusAttribute.Text(RadiusAttributeType.ReplyMessage, "bad password"));
            }
        }

        private static RadiusAttribute Vendor(byte type, byte[] value) =>
            new(RadiusAttributeType.VendorSpecific, [0, 0, 1, 55, type, (byte)(value.Length + 2), .. value]);
    }

    private sealed class Setup
    {
        public required ExchangeFixture F { get; init; }
        public required InMemoryRadius Radius { get; init; }
        public required ConcurrentQueue<Action> EngineThread { get; init; }
        public required MsChapV2Backend Backend { get; init; }

        public int AccessRequests => Radius.Seen.Count(s => s.Request.Code == RadiusCode.AccessRequest);
        public List<RadiusPacket> AccountingRecords => [.. Radius.Seen.Where(s => s.Request.Code == RadiusCode.AccountingRequest).Select(s => s.Request)];

        /// <summary>Delivers IKE and hands RADIUS answers to the gateway's thread until <paramref name="done"/> (real time: RADIUS runs on the pool).</summary>
        public void RunUntil(Func<bool> done)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!done() && DateTime.UtcNow < deadline)
            {
                F.Network.Run();
                if (EngineThread.TryDequeue(out var a)) a();
                else Thread.Sleep(5);
            }
            F.Network.Run();
        }

        /// <summary>Waits (real time) until a RADIUS answer is queued for the gateway, without handing it over.</summary>
        public void WaitForAnswer()
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (EngineThread.IsEmpty && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.False(EngineThread.IsEmpty, "no RADIUS answer arrived");
        }
    }

    private const string CarolDn = "C=CH, O=Petrel Test, CN=carol";

    /// <param name="rounds">RFC 4739: the client authenticates with its certificate first (remote-1 = pubkey) and with
    /// EAP in round 2 (remote-2 = eap-radius); else in one round with EAP only.</param>
    private static Setup Create(string password = "s3cret", byte[]? framedIp = null, bool rounds = false, string? round2EapId = "%any",
        IReadOnlyList<RadiusAttribute>? extra = null, IPAddress[]? vips = null, string user = "carol")
    {
        var pki = EnginePki.Shared;
        var gwKey = pki.Key(KeyKind.Ecdsa, 256, 11);
        var gwCert = pki.Issue(gwKey, GwDn, ["gw.petrel.test"]);
        var carolKey = pki.Key(KeyKind.Ecdsa, 256, 12);
        var carolCert = pki.Issue(carolKey, CarolDn, ["carol"]);
        var f = new ExchangeFixture();
        var client = EnginePki.Connection("home", L, R, localTs: ["dynamic"], remoteTs: ["10.2.0.0/24"]);
        AuthConfig[] clientRounds = rounds
            ? [new AuthConfig { Section = "local-1", Auth = "pubkey", Id = CarolDn }, new AuthConfig { Section = "local-2", Auth = "eap-mschapv2", Id = "carol" }]
            : [new AuthConfig { Auth = "eap-mschapv2", Id = user }];
        client = new ConnectionConfig
        {
            Name = client.Name, LocalAddrs = client.LocalAddrs, RemoteAddrs = client.RemoteAddrs, Proposals = client.Proposals, Children = client.Children,
            Local = clientRounds[0], LocalRounds = clientRounds, Remote = new AuthConfig { Auth = "pubkey", Id = GwDn },
            Vips = vips ?? [IPAddress.Any],
        };
        var server = EnginePki.Connection("rw", R, null, localTs: ["10.2.0.0/24"], remoteTs: ["dynamic"]);
        AuthConfig[] serverRounds = rounds
            ? [new AuthConfig { Section = "remote-1", Auth = "pubkey", Id = CarolDn }, new AuthConfig { Section = "remote-2", Auth = "eap-radius", EapId = round2EapId }]
            : [new AuthConfig { Auth = "eap-radius", EapId = "%any" }];
        server = new ConnectionConfig
        {
            Name = server.Name, LocalAddrs = server.LocalAddrs, RemoteAddrs = server.RemoteAddrs, Proposals = server.Proposals, Children = server.Children,
            Local = new AuthConfig { Auth = "pubkey" }, Remote = serverRounds[0], RemoteRounds = serverRounds, Pools = ["rw"],
        };
        f.Left.Engine.Load([client], [new SharedSecret { Kind = "eap", Ids = [user], Secret = Encoding.UTF8.GetBytes(password) }],
            pki.Store(rounds ? carolCert : null, rounds ? carolKey : null, [pki.Root]));
        f.Right.Engine.Load([server], [], pki.Store(gwCert, gwKey, [pki.Root]));
        AddressRange.TryParse("10.3.0.0/24", out var range, out _);
        f.Right.Engine.Pools.Load([new AddressPoolConfig { Name = "rw", Addresses = range!, Dns = [IPAddress.Parse("10.2.0.54")] }]);

        var radius = new InMemoryRadius();
        var backend = new MsChapV2Backend("s3cret", framedIp, extra);
        radius.Serve(Server, Secret, backend.Handle);
        radius.Serve(Accounting, Secret, backend.Handle);
        var queue = new ConcurrentQueue<Action>();
        var settings = new RadiusSettings
        {
            Servers = [new RadiusServer { Name = "radius", Address = Server.Address, Secret = Secret }],
            Accounting = true,
            AccountingInterval = TimeSpan.FromSeconds(30),
        };
        f.Right.Engine.Radius = new RadiusService(new RadiusClient(settings, radius.Factory), queue.Enqueue);
        return new Setup { F = f, Radius = radius, EngineThread = queue, Backend = backend };
    }

    [Fact]
    public void Client_authenticates_through_radius_retransmits_while_pending_ask_once_and_accounting_follows()
    {
        var s = Create();
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.F.Network.Run();
        // IKE_AUTH 1 answered with EAP-Identity; IKE_AUTH 2 (identity) went to RADIUS. Its answer waits in the queue while
        // the client retransmits IKE_AUTH 2 twice: the gateway absorbs them and asks RADIUS nothing more.
        s.WaitForAnswer();
        Assert.Equal(1, s.AccessRequests);
        s.F.Clock.Advance(TimeSpan.FromSeconds(5));
        s.F.Left.Engine.Tick();
        s.F.Network.Run();
        s.F.Clock.Advance(TimeSpan.FromSeconds(8));
        s.F.Left.Engine.Tick();
        s.F.Network.Run();
        Assert.Contains("while waiting for the RADIUS server, absorbed", s.F.Right.Log.All);
        Assert.Equal(1, s.AccessRequests);

        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, $"{result?.Message}\n--- left\n{s.F.Left.Log.All}\n--- right\n{s.F.Right.Log.All}");
        // Identity, MSCHAPv2 Response, Success acknowledgement: one Access-Request each.
        Assert.Equal(3, s.AccessRequests);
        Assert.All(s.Radius.Seen.Where(x => x.Request.Code == RadiusCode.AccessRequest), x => Assert.NotNull(x.Request.Find(RadiusAttributeType.MessageAuthenticator)));
        Assert.Contains("EAP-RADIUS (EAP-MSCHAPv2) authentication of 'carol' successful, MSK established", s.F.Right.Log.All);
        var right = s.F.RightSa;
        Assert.Equal("ESTABLISHED", right.State);
        Assert.Equal("carol", right.EapIdentity);
        Assert.Equal(["10.3.0.1"], right.RemoteVips);
        Assert.Contains("10.2.0.53", s.F.Left.Log.All); // RADIUS's MS-Primary-DNS-Server reached the client
        Assert.Contains("10.2.0.54", s.F.Left.Log.All); // and the pool's

        s.RunUntil(() => s.AccountingRecords.Count >= 1);
        var start = Assert.Single(s.AccountingRecords);
        Assert.True(start.Find(RadiusAttributeType.AcctStatusType)!.Value.TryGetInteger(out uint status) && status == RadiusAccounting.StatusStart);
        Assert.Equal("carol", Encoding.UTF8.GetString(start.Find(RadiusAttributeType.UserName)!.Value.Value));
        Assert.Equal([10, 3, 0, 1], start.Find(RadiusAttributeType.FramedIpAddress)!.Value.Value);

        s.F.Clock.Advance(TimeSpan.FromSeconds(31));
        s.F.Right.Engine.Tick();
        s.RunUntil(() => s.AccountingRecords.Count >= 2);
        Assert.True(s.AccountingRecords[1].Find(RadiusAttributeType.AcctStatusType)!.Value.TryGetInteger(out status) && status == RadiusAccounting.StatusInterimUpdate);

        s.F.Left.Engine.Terminate("home", null, _ => { });
        s.RunUntil(() => s.AccountingRecords.Count >= 3);
        var stop = s.AccountingRecords[2];
        Assert.True(stop.Find(RadiusAttributeType.AcctStatusType)!.Value.TryGetInteger(out status) && status == RadiusAccounting.StatusStop);
        Assert.Equal(start.Find(RadiusAttributeType.AcctSessionId)!.Value.Value, stop.Find(RadiusAttributeType.AcctSessionId)!.Value.Value);
        Assert.NotNull(stop.Find(RadiusAttributeType.AcctInputOctets));
        Assert.True(stop.Find(RadiusAttributeType.AcctTerminateCause)!.Value.TryGetInteger(out uint cause) && cause == RadiusAccounting.CauseUserRequest);
        Assert.Contains("lease 10.3.0.1 of 'carol' went offline", s.F.Right.Log.All);
    }

    [Fact]
    public void Framed_ip_address_takes_precedence_over_the_pool()
    {
        var s = Create(framedIp: [10, 9, 0, 7]);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, $"{result?.Message}\n--- right\n{s.F.Right.Log.All}");
        Assert.Equal(["10.9.0.7"], s.F.RightSa.RemoteVips);
        Assert.Equal(["10.9.0.7"], s.F.LeftSa.LocalVips);
        Assert.Equal(0, s.F.Right.Engine.Pools.List(false).Single().Online);
    }

    /// <param name="eapId">%any: Petrel asks EAP-Identity itself; unset: round 2's IDi is the EAP identity and the very
    /// first EAP Request comes from RADIUS, so round 2's first request waits for it and is processed again.</param>
    [Theory]
    [InlineData("%any")]
    [InlineData(null)]
    public void Eap_radius_as_the_second_round_after_a_certificate_gives_the_client_its_lease_and_accounting(string? eapId)
    {
        var s = Create(rounds: true, round2EapId: eapId);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, $"{result?.Message}\n--- left\n{s.F.Left.Log.All}\n--- right\n{s.F.Right.Log.All}");
        // EAP-Identity, MSCHAPv2 Response, Success acknowledgement, all in round 2.
        Assert.Equal(3, s.AccessRequests);
        string log = s.F.Right.Log.All;
        Assert.Contains("authentication round 1 of 2 of 'C=CH, O=Petrel Test, CN=carol' successful, round 2 follows (remote-2, auth = eap-radius)", log);
        Assert.Contains(eapId is null ? "authentication round 2 of 2 (remote-2): peer 'carol' authenticates with EAP (eap-radius); asking EAP-RADIUS"
            : "authentication round 2 of 2 (remote-2): peer 'carol' authenticates with EAP (eap-radius); sending", log);
        Assert.Contains("EAP-RADIUS (EAP-MSCHAPv2) authentication of 'carol' successful, MSK established", log);
        Assert.Contains("authentication round 2 of 2 (remote-2, auth = eap-radius) of 'carol' successful", log);
        var right = s.F.RightSa;
        Assert.Equal("carol", right.RemoteId); // the last round's identity, as strongSwan lists it
        Assert.Equal("carol", right.EapIdentity);
        Assert.Equal([(1, "pubkey", CarolDn), (2, "eap-radius", "carol")],
            right.AuthRounds.Where(r => !r.Local).OrderBy(r => r.Round).Select(r => (r.Round, r.Auth, r.Identity)));
        Assert.Equal(["10.3.0.1"], right.RemoteVips);
        Assert.Equal("INSTALLED", Assert.Single(right.Children).State);

        s.RunUntil(() => s.AccountingRecords.Count >= 1);
        var start = Assert.Single(s.AccountingRecords);
        Assert.Equal("carol", Encoding.UTF8.GetString(start.Find(RadiusAttributeType.UserName)!.Value.Value));
    }

    [Fact]
    public void A_radius_reject_in_the_second_round_fails_the_client_naming_the_round()
    {
        var s = Create(password: "wrong", rounds: true);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.False(result!.Success);
        Assert.Contains("authentication of 'carol' in authentication round 2 of 2 (remote-2) failed: RADIUS server 'radius' (192.0.2.50) rejected 'carol'", s.F.Right.Log.All);
        Assert.Empty(s.F.Right.Engine.ListSas());
        Assert.Empty(s.AccountingRecords);
    }

    [Fact]
    public void Framed_ipv6_address_gives_an_ipv6_client_its_address()
    {
        var s = Create(vips: [IPAddress.IPv6Any], extra: [new RadiusAttribute(RadiusAttributeType.FramedIpv6Address, IPAddress.Parse("2001:db8:3::7").GetAddressBytes())]);
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, $"{result?.Message}\n--- right\n{s.F.Right.Log.All}");
        Assert.Equal(["2001:db8:3::7"], s.F.RightSa.RemoteVips);
        Assert.Equal(["2001:db8:3::7"], s.F.LeftSa.LocalVips);
        Assert.Contains("assigning virtual IP 2001:db8:3::7 to peer 'carol' from the RADIUS server (Framed-IPv6-Address)", s.F.Right.Log.All);
    }

    [Fact]
    public void A_framed_ipv6_prefix_of_length_128_is_the_clients_address_and_a_shorter_one_is_not()
    {
        static RadiusPacket Accept(byte length, string prefix) => new RadiusPacket(RadiusCode.AccessAccept, 1, new byte[16])
            .Add(new RadiusAttribute(RadiusAttributeType.FramedIpv6Prefix, [0, length, .. IPAddress.Parse(prefix).GetAddressBytes()]));
        Assert.Equal((IPAddress.Parse("2001:db8::9"), "Framed-IPv6-Prefix"), RadiusEapConversation.FramedIpv6(Accept(128, "2001:db8::9")));
        Assert.Null(RadiusEapConversation.FramedIpv6(Accept(64, "2001:db8::")).Address);
    }

    [Fact]
    public void A_framed_ip_another_client_holds_is_not_given_twice_the_second_gets_a_pool_address()
    {
        var s = Create(framedIp: [10, 9, 0, 7]);
        // A second client connection on the same host, as dave.
        var home = s.F.Left.Engine.Connections.Single();
        var dave = new ConnectionConfig
        {
            Name = "dave", LocalAddrs = home.LocalAddrs, RemoteAddrs = home.RemoteAddrs, Proposals = home.Proposals, Children = home.Children,
            Local = new AuthConfig { Auth = "eap-mschapv2", Id = "dave" }, Remote = home.Remote, Vips = [IPAddress.Any],
        };
        s.F.Left.Engine.Load([home, dave], [new SharedSecret { Kind = "eap", Ids = ["carol"], Secret = "s3cret"u8.ToArray() },
            new SharedSecret { Kind = "eap", Ids = ["dave"], Secret = "s3cret"u8.ToArray() }], EnginePki.Shared.Store(null, null, [EnginePki.Shared.Root]));
        InitiateResult? first = null, second = null;
        s.F.Left.Engine.Initiate("home", null, r => first = r);
        s.RunUntil(() => first is not null);
        Assert.True(first is { Success: true }, first?.Message);
        s.F.Left.Engine.Initiate("dave", null, r => second = r);
        s.RunUntil(() => second is not null);
        Assert.True(second is { Success: true }, $"{second?.Message}\n--- right\n{s.F.Right.Log.All}");
        var sas = s.F.Right.Engine.ListSas();
        Assert.Equal(["10.9.0.7"], sas.Single(x => x.EapIdentity == "carol").RemoteVips);
        Assert.Equal(["10.3.0.1"], sas.Single(x => x.EapIdentity == "dave").RemoteVips);
        Assert.Contains("the RADIUS server assigned 10.9.0.7 (Framed-IP-Address) to 'dave', but IKE_SA ", s.F.Right.Log.All);
        Assert.Contains(" of 'carol' holds it; taking an address from the pools instead", s.F.Right.Log.All);
    }

    private static readonly byte[] DaeSecret = "dae-secret"u8.ToArray();

    /// <summary>A Disconnect- or CoA-Request as a RADIUS server sends it (RFC 5176 §3.5: MD5 over the packet with zeros, then the secret).</summary>
    private static byte[] DaeRequestBytes(RadiusCode code, byte id, byte[] secret, params RadiusAttribute[] attributes)
    {
        var packet = new RadiusPacket(code, id, new byte[16], [.. attributes]);
        var bytes = packet.Encode();
        System.Security.Cryptography.MD5.HashData([.. bytes, .. secret]).CopyTo(bytes, 4);
        return bytes;
    }

    private static RadiusPacket DaeAnswer(byte[]? answer, byte[] request)
    {
        Assert.NotNull(answer);
        Assert.True(RadiusSigner.VerifyResponse(answer, request.AsSpan(4, 16), DaeSecret, out string error), error);
        Assert.True(RadiusPacket.TryDecode(answer, out var packet, out error), error);
        return packet!;
    }

    private static uint? ErrorCause(RadiusPacket p) => p.Find(RadiusAttributeType.ErrorCause) is { } a && a.TryGetInteger(out uint v) ? v : null;

    [Fact]
    public async Task Dae_disconnect_request_deletes_the_users_ike_sa_acks_and_answers_a_retransmit_alike()
    {
        var s = Create();
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, result?.Message);
        s.RunUntil(() => s.AccountingRecords.Count >= 1);
        var sessionId = Encoding.UTF8.GetString(s.AccountingRecords[0].Find(RadiusAttributeType.AcctSessionId)!.Value.Value);
        int applied = 0;
        using var dae = new RadiusDae(new RadiusDaeSettings { Listen = new IPEndPoint(IPAddress.Loopback, 0), Secret = DaeSecret },
            r => { applied++; return Task.FromResult(s.F.Right.Engine.ApplyDae(r)); });
        var nas = new IPEndPoint(IPAddress.Parse("192.0.2.50"), 40000);

        // Nobody called mallory: NAK with Error-Cause Session-Context-Not-Found.
        var unknown = DaeRequestBytes(RadiusCode.DisconnectRequest, 1, DaeSecret, RadiusAttribute.Text(RadiusAttributeType.UserName, "mallory"));
        var nak = DaeAnswer(await dae.AnswerAsync(unknown, nas), unknown);
        Assert.Equal((RadiusCode.DisconnectNak, (byte)1, (uint?)RadiusAttributeType.ErrorSessionContextNotFound), (nak.Code, nak.Identifier, ErrorCause(nak)));
        // carol's, but another accounting session: NAK too.
        var other = DaeRequestBytes(RadiusCode.DisconnectRequest, 2, DaeSecret, RadiusAttribute.Text(RadiusAttributeType.UserName, "carol"),
            RadiusAttribute.Text(RadiusAttributeType.AcctSessionId, "not-" + sessionId));
        Assert.Equal(RadiusCode.DisconnectNak, DaeAnswer(await dae.AnswerAsync(other, nas), other).Code);
        // Signed with another secret: dropped, nothing applied.
        int before = applied;
        Assert.Null(await dae.AnswerAsync(DaeRequestBytes(RadiusCode.DisconnectRequest, 3, "wrong"u8.ToArray(), RadiusAttribute.Text(RadiusAttributeType.UserName, "carol")), nas));
        Assert.Equal(1, dae.Dropped);
        Assert.Equal(before, applied);
        Assert.Single(s.F.Right.Engine.ListSas());

        var disconnect = DaeRequestBytes(RadiusCode.DisconnectRequest, 4, DaeSecret, RadiusAttribute.Text(RadiusAttributeType.UserName, "carol"),
            RadiusAttribute.Text(RadiusAttributeType.AcctSessionId, sessionId));
        var ackBytes = await dae.AnswerAsync(disconnect, nas);
        var ack = DaeAnswer(ackBytes, disconnect);
        Assert.Equal((RadiusCode.DisconnectAck, (byte)4, (uint?)null), (ack.Code, ack.Identifier, ErrorCause(ack)));
        Assert.Contains("RADIUS Disconnect-Request for 'carol', session " + sessionId + ": deleting IKE_SA", s.F.Right.Log.All);
        // A retransmission gets the same answer and is not applied again.
        before = applied;
        Assert.Equal(ackBytes, await dae.AnswerAsync(disconnect, nas));
        Assert.Equal(before, applied);

        s.RunUntil(() => s.AccountingRecords.Count >= 2 && s.F.Right.Engine.ListSas().Count == 0);
        Assert.Empty(s.F.Right.Engine.ListSas());
        Assert.Empty(s.F.Left.Engine.ListSas());
        var stop = s.AccountingRecords[^1];
        Assert.True(stop.Find(RadiusAttributeType.AcctTerminateCause)!.Value.TryGetInteger(out uint cause) && cause == RadiusAccounting.CauseAdminReset);
    }

    [Fact]
    public async Task Dae_coa_request_with_session_timeout_is_acked_and_shortens_the_sa_without_one_it_is_naked()
    {
        var s = Create();
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, result?.Message);
        using var dae = new RadiusDae(new RadiusDaeSettings { Listen = new IPEndPoint(IPAddress.Loopback, 0), Secret = DaeSecret },
            r => Task.FromResult(s.F.Right.Engine.ApplyDae(r)));
        var nas = new IPEndPoint(IPAddress.Parse("192.0.2.50"), 40000);

        long? expiry = s.F.RightSa.ExpireSeconds;
        Assert.True(expiry is null or > 60, $"{expiry}");
        var bare = DaeRequestBytes(RadiusCode.CoaRequest, 1, DaeSecret, RadiusAttribute.Text(RadiusAttributeType.UserName, "carol"));
        var nak = DaeAnswer(await dae.AnswerAsync(bare, nas), bare);
        Assert.Equal((RadiusCode.CoaNak, (uint?)RadiusAttributeType.ErrorMissingAttribute), (nak.Code, ErrorCause(nak)));
        Assert.Equal(expiry, s.F.RightSa.ExpireSeconds);

        var coa = DaeRequestBytes(RadiusCode.CoaRequest, 2, DaeSecret, RadiusAttribute.Text(RadiusAttributeType.UserName, "carol"),
            RadiusAttribute.Integer(RadiusAttributeType.SessionTimeout, 60));
        Assert.Equal(RadiusCode.CoaAck, DaeAnswer(await dae.AnswerAsync(coa, nas), coa).Code);
        Assert.Equal(60, s.F.RightSa.ExpireSeconds);
        s.F.Clock.Advance(TimeSpan.FromSeconds(61));
        s.F.Right.Engine.Tick();
        s.RunUntil(() => s.F.Right.Engine.ListSas().Count == 0);
        Assert.Empty(s.F.Right.Engine.ListSas());
    }

    [Fact]
    public void Replacing_the_client_keeps_running_conversations_on_the_old_one_and_new_ones_use_the_new()
    {
        var s = Create();
        var service = s.F.Right.Engine.Radius!;
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.F.Network.Run();
        // The first Access-Request went out on the old client; now a reload points RADIUS elsewhere.
        s.WaitForAnswer();
        var moved = new IPEndPoint(IPAddress.Parse("192.0.2.60"), 1812);
        s.Radius.Serve(moved, Secret, s.Backend.Handle);
        var old = service.Client;
        service.Replace(new RadiusClient(service.Settings with { Servers = [new RadiusServer { Name = "moved", Address = moved.Address, Secret = Secret }] }, s.Radius.Factory));
        Assert.NotSame(old, service.Client);
        Assert.Equal(1, service.RetiredClients);
        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, result?.Message);
        // The running conversation finished on the server it started with.
        Assert.All(s.Radius.Seen.Where(x => x.Request.Code == RadiusCode.AccessRequest), x => Assert.Equal(Server, x.Server));

        // A new client authenticates on the new server.
        s.F.Left.Engine.Terminate("home", null, _ => { });
        s.RunUntil(() => s.F.Right.Engine.ListSas().Count == 0);
        int seen = s.Radius.Seen.Count(x => x.Request.Code == RadiusCode.AccessRequest);
        result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.True(result is { Success: true }, result?.Message);
        var later = s.Radius.Seen.Where(x => x.Request.Code == RadiusCode.AccessRequest).Skip(seen).ToList();
        Assert.Equal(3, later.Count);
        Assert.All(later, x => Assert.Equal(moved, x.Server));
    }

    [Fact]
    public void Access_reject_fails_the_client_with_the_servers_reason()
    {
        var s = Create(password: "wrong");
        InitiateResult? result = null;
        s.F.Left.Engine.Initiate("home", null, r => result = r);
        s.RunUntil(() => result is not null);
        Assert.False(result!.Success);
        Assert.Contains("EAP-RADIUS (EAP-MSCHAPv2) authentication of 'carol' failed: RADIUS server 'radius' (192.0.2.50) rejected 'carol' (Access-Reject: bad password)", s.F.Right.Log.All);
        Assert.Empty(s.F.Right.Engine.ListSas());
        Assert.Empty(s.AccountingRecords);
    }

    [Fact]
    public void Without_radius_settings_eap_radius_refuses_the_client_with_a_reason()
    {
        var s = Create();
        s.F.Right.Engine.Radius = null;
        var result = s.F.Initiate("home");
        Assert.False(result!.Success);
        Assert.Contains("no RADIUS server is configured", s.F.Right.Log.All);
    }
}
