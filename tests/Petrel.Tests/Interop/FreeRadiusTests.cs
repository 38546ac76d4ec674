using System.Net;
using System.Security.Cryptography;
using System.Text;
using Petrel.Daemon;
using Petrel.Ike.Radius;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel's RADIUS client against a real FreeRADIUS 3 on loopback: EAP-MD5 passed through (Access-Request with
/// EAP-Message and Message-Authenticator, Access-Challenge with State, Access-Accept / Access-Reject), failover
/// from a server that does not answer, and RFC 2866 accounting records as FreeRADIUS's detail file writes them.
/// </summary>
[Trait("Category", "Interop")]
public sealed class FreeRadiusTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine("/tmp/petrel-e2e", $"radius-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
    private FreeRadiusServer? _server;

    private FreeRadiusServer Server => _server ??= FreeRadiusServer.Start(_dir, "radius-secret-0123", new Dictionary<string, string> { ["alice"] = "alice-password" });

    private RadiusClient Client(bool deadServerFirst = false)
    {
        var real = new RadiusServer { Name = "freeradius", Address = IPAddress.Loopback, Secret = Encoding.ASCII.GetBytes(Server.Secret), AuthPort = Server.AuthPort, AcctPort = Server.AcctPort };
        // Port 9 on loopback: nothing listens, every try goes unanswered.
        var dead = new RadiusServer { Name = "dead", Address = IPAddress.Loopback, Secret = Encoding.ASCII.GetBytes(Server.Secret), AuthPort = 9, AcctPort = 9, Preference = 10 };
        return new RadiusClient(new RadiusSettings
        {
            Servers = deadServerFirst ? [dead, real] : [real],
            RetransmitTimeout = TimeSpan.FromSeconds(0.5),
            RetransmitBase = 1.0,
            RetransmitTries = 2,
            NasIdentifier = "petrel-test",
        }, UdpRadiusTransport.Factory);
    }

    private static readonly RadiusSessionContext Context = new(1, new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500));

    /// <summary>EAP-Response/Identity (RFC 3748 §5.1).</summary>
    private static byte[] Identity(byte id, string name)
    {
        var n = Encoding.UTF8.GetBytes(name);
        return [2, id, 0, (byte)(5 + n.Length), 1, .. n];
    }

    /// <summary>EAP-Response/MD5-Challenge (RFC 3748 §5.4): MD5(Identifier || password || challenge), as an independent model of the peer.</summary>
    private static byte[] Md5Response(byte[] request, string password)
    {
        Assert.Equal(1, request[0]);  // Request
        Assert.Equal(4, request[4]);  // MD5-Challenge
        var challenge = request.AsSpan(6, request[5]).ToArray();
        var value = MD5.HashData([request[1], .. Encoding.UTF8.GetBytes(password), .. challenge]);
        return [2, request[1], 0, 22, 4, 16, .. value];
    }

    private async Task<RadiusEapOutcome> Md5Conversation(RadiusClient client, string user, string password)
    {
        var eap = new RadiusEapConversation(client, user, Context);
        var challenge = await eap.ForwardAsync(Identity(0, user));
        Assert.True(challenge.Status == RadiusEapStatus.Challenge, $"{challenge.Status}: {challenge.Reason}");
        return await eap.ForwardAsync(Md5Response(challenge.Eap!, password));
    }

    [RootFact]
    public async Task Eap_md5_passes_through_to_freeradius_and_a_wrong_password_is_rejected()
    {
        try
        {
            using var client = Client();
            var accept = await Md5Conversation(client, "alice", "alice-password");
            Assert.True(accept.Status == RadiusEapStatus.Accept, accept.Reason);
            Assert.Equal(3, accept.Eap![0]); // EAP-Success

            var reject = await Md5Conversation(client, "alice", "wrong-password");
            Assert.Equal(RadiusEapStatus.Reject, reject.Status);
            Assert.Equal(4, reject.Eap![0]); // EAP-Failure
            Assert.StartsWith("RADIUS server 'freeradius' (127.0.0.1) rejected 'alice' (Access-Reject", reject.Reason);
            Assert.Equal(0, client.DroppedResponses);
        }
        catch
        {
            output.WriteLine(Server.Log());
            throw;
        }
    }

    [RootFact]
    public async Task Silent_first_server_fails_over_to_freeradius()
    {
        try
        {
            using var client = Client(deadServerFirst: true);
            var accept = await Md5Conversation(client, "alice", "alice-password");
            Assert.True(accept.Status == RadiusEapStatus.Accept, accept.Reason);
            Assert.Equal("freeradius", accept.Server!.Name);
        }
        catch
        {
            output.WriteLine(Server.Log());
            throw;
        }
    }

    [RootFact]
    public async Task Accounting_start_interim_and_stop_reach_freeradius_with_byte_and_packet_counts()
    {
        try
        {
            using var client = Client();
            var accounting = new RadiusAccounting(client);
            var started = DateTime.UtcNow;
            var session = new AccountingSession("petrel-7-1", "alice", Context, started) { FramedIp = IPAddress.Parse("10.3.0.1") };
            Assert.False((await accounting.StartAsync(session, started)).TimedOut);
            Assert.False((await accounting.InterimAsync(session, new AccountingCounters(1000, 2000, 10, 20), started.AddSeconds(30))).TimedOut);
            var stop = await accounting.StopAsync(session, new AccountingCounters(5_000_000_123, 4321, 1234, 567), started.AddSeconds(61), RadiusAccounting.CauseUserRequest);
            Assert.False(stop.TimedOut, stop.Error);

            string detail = Server.Detail();
            output.WriteLine(detail);
            Assert.Contains("Acct-Status-Type = Start", detail);
            Assert.Contains("Acct-Status-Type = Interim-Update", detail);
            Assert.Contains("Acct-Status-Type = Stop", detail);
            Assert.Contains("Acct-Session-Id = \"petrel-7-1\"", detail);
            Assert.Contains("User-Name = \"alice\"", detail);
            Assert.Contains("Framed-IP-Address = 10.3.0.1", detail);
            Assert.Contains("Acct-Input-Octets = 1000", detail);
            Assert.Contains("Acct-Output-Packets = 20", detail);
            Assert.Contains($"Acct-Input-Octets = {5_000_000_123 & 0xffffffff}", detail);
            Assert.Contains("Acct-Input-Gigawords = 1", detail);
            Assert.Contains("Acct-Output-Octets = 4321", detail);
            Assert.Contains("Acct-Input-Packets = 1234", detail);
            Assert.Contains("Acct-Session-Time = 61", detail);
            Assert.Contains("Acct-Terminate-Cause = User-Request", detail);
            Assert.Contains("NAS-Identifier = \"petrel-test\"", detail);
        }
        catch
        {
            output.WriteLine(Server.Log());
            throw;
        }
    }

    public void Dispose()
    {
        _server?.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
