using System.Net;
using Petrel.Ike.Radius;

namespace Petrel.Ike.Tests.Radius;

public class RadiusClientTests
{
    private static readonly byte[] SecretA = "secret-a"u8.ToArray(), SecretB = "secret-b"u8.ToArray();
    private static readonly IPEndPoint AuthA = new(IPAddress.Parse("192.0.2.1"), 1812), AuthB = new(IPAddress.Parse("192.0.2.2"), 1812);
    private static readonly IPEndPoint AcctB = new(IPAddress.Parse("192.0.2.2"), 1813);

    /// <summary>Servers 'a' then 'b'. Tests of silence use a short retransmit timeout; tests that expect
    /// answers use a long one, so a slow (loaded) machine never turns an answer into a retransmission.</summary>
    private static RadiusSettings Settings(int tries = 2, int timeoutMs = 5000) => new()
    {
        Servers =
        [
            new RadiusServer { Name = "a", Address = AuthA.Address, Secret = SecretA, Preference = 10 },
            new RadiusServer { Name = "b", Address = AuthB.Address, Secret = SecretB },
        ],
        RetransmitTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        RetransmitBase = 1.0,
        RetransmitTries = tries,
        NasIdentifier = "gw",
    };

    private static RadiusSessionContext Context => new(7, new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500));

    /// <summary>An EAP server: challenge once (State "st"), then accept with MPPE keys and a Framed-IP-Address.</summary>
    private static InMemoryRadius.Handler EapServer(byte[] secret, byte[] recv, byte[] send) => request =>
    {
        if (request.Find(RadiusAttributeType.State) is null)
        {
            return new RadiusPacket(RadiusCode.AccessChallenge, request.Identifier, new byte[16])
                .Add(new RadiusAttribute(RadiusAttributeType.State, "st"u8.ToArray()))
                .AddEapMessage([1, 2, 0, 6, 4, 0]);
        }
        return new RadiusPacket(RadiusCode.AccessAccept, request.Identifier, new byte[16])
            .AddEapMessage([3, 2, 0, 4])
            .Add(new RadiusAttribute(RadiusAttributeType.FramedIpAddress, [10, 9, 0, 5]))
            .Add(new RadiusAttribute(RadiusAttributeType.Class, "gold"u8.ToArray()))
            .Add(RadiusAttribute.Integer(RadiusAttributeType.AcctInterimInterval, 60))
            .Add(Vsa(RadiusAttributeType.MsMppeRecvKey, MppeKey.Encrypt(recv, secret, request.Authenticator, 0x0101)))
            .Add(Vsa(RadiusAttributeType.MsMppeSendKey, MppeKey.Encrypt(send, secret, request.Authenticator, 0x0202)));
    };

    private static RadiusAttribute Vsa(byte type, byte[] value) =>
        new(RadiusAttributeType.VendorSpecific, [0, 0, 1, 0x37, type, (byte)(value.Length + 2), .. value]);

    [Fact]
    public async Task Eap_conversation_keeps_state_and_yields_msk_framed_ip_and_class()
    {
        var net = new InMemoryRadius();
        byte[] recv = [.. Enumerable.Repeat((byte)0xaa, 32)], send = [.. Enumerable.Repeat((byte)0xbb, 32)];
        net.Serve(AuthA, SecretA, EapServer(SecretA, recv, send));
        using var client = new RadiusClient(Settings(), net.Factory);
        var eap = new RadiusEapConversation(client, "alice", Context);

        var first = await eap.ForwardAsync([2, 1, 0, 10, 1, .. "alice"u8]);
        Assert.Equal(RadiusEapStatus.Challenge, first.Status);
        Assert.Equal([1, 2, 0, 6, 4, 0], first.Eap);
        var second = await eap.ForwardAsync([2, 2, 0, 6, 3, 4]);
        Assert.Equal(RadiusEapStatus.Accept, second.Status);
        Assert.Equal([.. recv, .. send], second.Msk);
        Assert.Equal(IPAddress.Parse("10.9.0.5"), second.FramedIp);
        Assert.Equal("gold"u8.ToArray(), Assert.Single(second.Classes));
        Assert.Equal(TimeSpan.FromSeconds(60), second.InterimInterval);

        var requests = net.Seen.Select(s => s.Request).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Find(RadiusAttributeType.State));
        Assert.Equal("st"u8.ToArray(), requests[1].Find(RadiusAttributeType.State)!.Value.Value);
        Assert.All(requests, r => Assert.Equal("alice", System.Text.Encoding.UTF8.GetString(r.Find(RadiusAttributeType.UserName)!.Value.Value)));
        Assert.All(requests, r => Assert.Equal("gw", System.Text.Encoding.UTF8.GetString(r.Find(RadiusAttributeType.NasIdentifier)!.Value.Value)));
        Assert.All(requests, r => Assert.Equal("198.18.0.2[4500]", System.Text.Encoding.UTF8.GetString(r.Find(RadiusAttributeType.CallingStationId)!.Value.Value)));
    }

    [Fact]
    public async Task Silent_first_server_is_retried_then_the_second_answers_and_is_asked_first_next_time()
    {
        var net = new InMemoryRadius();
        net.Serve(AuthB, SecretB, r => new RadiusPacket(RadiusCode.AccessReject, r.Identifier, new byte[16])
            .Add(RadiusAttribute.Text(RadiusAttributeType.ReplyMessage, "bad password")).AddEapMessage([4, r.EapMessage()![1], 0, 4]));
        using var client = new RadiusClient(Settings(tries: 3, timeoutMs: 150), net.Factory);

        var outcome = await new RadiusEapConversation(client, "bob", Context).ForwardAsync([2, 1, 0, 8, 1, .. "bob"u8]);
        Assert.Equal(RadiusEapStatus.Reject, outcome.Status);
        Assert.Equal("RADIUS server 'b' (192.0.2.2) rejected 'bob' (Access-Reject: bad password)", outcome.Reason);
        Assert.Equal(3, net.Seen.Count(s => s.Server.Equals(AuthA)));
        Assert.InRange(net.Seen.Count(s => s.Server.Equals(AuthB)), 1, 3); // more than one only when this machine is slower than a try
        // Retransmissions are the same packet (RFC 2865 §2.5: same Identifier and Request Authenticator).
        var toA = net.Seen.Where(s => s.Server.Equals(AuthA)).Select(s => s.Request).ToList();
        Assert.All(toA, r => Assert.Equal(toA[0].Identifier, r.Identifier));
        Assert.All(toA, r => Assert.Equal(toA[0].Authenticator, r.Authenticator));

        net.Seen.Clear();
        await new RadiusEapConversation(client, "bob", Context).ForwardAsync([2, 1, 0, 8, 1, .. "bob"u8]);
        Assert.NotEmpty(net.Seen);
        Assert.All(net.Seen, s => Assert.Equal(AuthB, s.Server)); // 'b' first; a retry to it only when this machine is slower than a try
    }

    [Fact]
    public async Task No_server_answers_is_a_failure_that_names_the_last_server()
    {
        using var client = new RadiusClient(Settings(tries: 1, timeoutMs: 150), new InMemoryRadius().Factory);
        var outcome = await new RadiusEapConversation(client, "bob", Context).ForwardAsync([2, 1, 0, 4]);
        Assert.Equal(RadiusEapStatus.Failed, outcome.Status);
        Assert.Equal("RADIUS server 'b' (192.0.2.2) did not answer (1 tries)", outcome.Reason);
    }

    [Fact]
    public async Task Answers_with_a_wrong_secret_are_dropped()
    {
        var net = new InMemoryRadius();
        net.Serve(AuthA, "not-the-secret"u8.ToArray(), r => new RadiusPacket(RadiusCode.AccessAccept, r.Identifier, new byte[16]));
        using var client = new RadiusClient(Settings(tries: 1, timeoutMs: 150) with { Servers = [Settings().Servers[0]] }, net.Factory);
        var reply = await client.ExchangeAsync(RadiusCode.AccessRequest, [RadiusAttribute.Text(RadiusAttributeType.UserName, "x")]);
        Assert.True(reply.TimedOut);
        // The forged answer was queued before the exchange timed out; on a loaded machine the receive
        // loop may reach it only after the 150 ms timeout, so wait for it rather than race it.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); client.DroppedResponses == 0 && DateTime.UtcNow < deadline;)
            await Task.Delay(10);
        Assert.Equal(1, client.DroppedResponses);
    }

    [Fact]
    public async Task Accounting_records_carry_counters_and_are_signed_for_accounting()
    {
        var net = new InMemoryRadius();
        net.Serve(AcctB, SecretB, r => new RadiusPacket(RadiusCode.AccountingResponse, r.Identifier, new byte[16]));
        using var client = new RadiusClient(Settings() with { Servers = [Settings().Servers[1]] }, net.Factory);
        var accounting = new RadiusAccounting(client);
        var start = new DateTime(2026, 12, 7, 18, 0, 0, DateTimeKind.Utc);
        var session = new AccountingSession("5-1", "alice", Context, start) { FramedIp = IPAddress.Parse("10.3.0.1"), Classes = ["gold"u8.ToArray()] };

        Assert.False((await accounting.StartAsync(session, start)).TimedOut);
        var stop = await accounting.StopAsync(session, new AccountingCounters(5_000_000_000, 1234, 10, 20), start.AddSeconds(90), RadiusAccounting.CauseUserRequest);
        Assert.False(stop.TimedOut);

        var (_, s) = net.Seen[0];
        Assert.Equal(RadiusCode.AccountingRequest, s.Code);
        Assert.True(s.Find(RadiusAttributeType.AcctStatusType)!.Value.TryGetInteger(out uint status));
        Assert.Equal(RadiusAccounting.StatusStart, status);
        Assert.Null(s.Find(RadiusAttributeType.AcctInputOctets));

        var p = net.Seen[1].Request;
        uint Int(byte t) { Assert.True(p.Find(t)!.Value.TryGetInteger(out uint v)); return v; }
        Assert.Equal(RadiusAccounting.StatusStop, Int(RadiusAttributeType.AcctStatusType));
        Assert.Equal((uint)(5_000_000_000 & 0xffffffff), Int(RadiusAttributeType.AcctInputOctets));
        Assert.Equal(1u, Int(RadiusAttributeType.AcctInputGigawords));
        Assert.Equal(1234u, Int(RadiusAttributeType.AcctOutputOctets));
        Assert.Equal(10u, Int(RadiusAttributeType.AcctInputPackets));
        Assert.Equal(20u, Int(RadiusAttributeType.AcctOutputPackets));
        Assert.Equal(90u, Int(RadiusAttributeType.AcctSessionTime));
        Assert.Equal(RadiusAccounting.CauseUserRequest, Int(RadiusAttributeType.AcctTerminateCause));
        Assert.Equal([10, 3, 0, 1], p.Find(RadiusAttributeType.FramedIpAddress)!.Value.Value);
        Assert.Equal("gold"u8.ToArray(), p.Find(RadiusAttributeType.Class)!.Value.Value);
        Assert.Null(p.Find(RadiusAttributeType.MessageAuthenticator));
    }
}
