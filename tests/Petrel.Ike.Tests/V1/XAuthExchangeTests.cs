using System.Net;
using System.Text;
using Petrel.Ike.Config;
using Petrel.Ike.Pools;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// IKEv1 XAuth and Mode Config between two engines (in-memory network, virtual clock): the client "carol" (left,
/// Main Mode initiator unless a test swaps roles) and the gateway "gw" with an xauth round and a pool. Transaction
/// exchanges are ISAKMP exchange type 6.
/// </summary>
public class XAuthExchangeTests
{
    private const byte MainMode = 2, Transaction = 6, QuickMode = 32;
    private const string Password = "4iChxLT3";

    private sealed class RecordingHost : IVirtualIpHost
    {
        public List<string> Calls { get; } = [];
        public void Add(IPAddress address) => Calls.Add($"add {address}");
        public void Remove(IPAddress address) => Calls.Add($"remove {address}");
    }

    private static ConnectionConfig Connection(IPAddress local, IPAddress remote, string localId, string remoteId, string[] localTs, string[] remoteTs,
        AuthConfig? xauthLocal = null, AuthConfig? xauthRemote = null, IPAddress[]? vips = null, string[]? pools = null, bool pull = true)
    {
        var c = V1Fixture.Connection(local, remote, localId, remoteId, "aes128-sha256-modp2048", "aes128-sha256", localTs, remoteTs);
        return new ConnectionConfig
        {
            Name = "rw", Version = 1, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals, DpdDelay = TimeSpan.Zero,
            Local = c.Local, Remote = c.Remote, Children = c.Children, XAuthLocal = xauthLocal, XAuthRemote = xauthRemote,
            Vips = vips ?? [], Pools = pools ?? [], ModeConfigPull = pull,
        };
    }

    private static SharedSecret XAuthSecret(string user, string password, string kind = "xauth") =>
        new() { Ids = [user], Secret = Encoding.UTF8.GetBytes(password), Kind = kind };

    /// <summary>left = carol (XAuth client, vips = 0.0.0.0), right = gw (XAuth server, pool 10.3.0.0/24 with DNS 10.3.0.53).</summary>
    private static (ExchangeFixture F, RecordingHost Host) Roadwarrior(string clientPassword = Password, string serverPassword = Password,
        string? clientUser = "carol", string? serverExpects = null, bool pull = true, bool serverInitiates = false, string serverKind = "xauth",
        bool clientHasSecret = true)
    {
        var f = new ExchangeFixture();
        var carol = Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "carol@example.org", "gw", ["dynamic"], ["10.2.0.0/24"],
            xauthLocal: new AuthConfig { Auth = "xauth", XAuthId = clientUser }, vips: [IPAddress.Any], pull: pull);
        var gw = Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "gw", "carol@example.org", ["10.2.0.0/24"], ["dynamic"],
            xauthRemote: new AuthConfig { Auth = "xauth", XAuthId = serverExpects }, pools: ["rw"], pull: pull);
        var psk = EnginePeer.Secret("group-psk-group-psk", "carol@example.org", "gw");
        List<SharedSecret> clientSecrets = clientHasSecret ? [psk, XAuthSecret("carol", clientPassword)] : [psk];
        List<SharedSecret> serverSecrets = [psk, XAuthSecret("carol", serverPassword, serverKind), XAuthSecret("dave", "ryftzG4A")];
        var left = serverInitiates ? f.Right : f.Left;
        var right = serverInitiates ? f.Left : f.Right;
        if (serverInitiates)
        {
            // The gateway's engine initiates: swap the addresses so "left" (the initiator) is the gateway.
            carol = Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "carol@example.org", "gw", ["dynamic"], ["10.2.0.0/24"],
                xauthLocal: new AuthConfig { Auth = "xauth", XAuthId = clientUser }, vips: [IPAddress.Any], pull: pull);
            gw = Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "gw", "carol@example.org", ["10.2.0.0/24"], ["dynamic"],
                xauthRemote: new AuthConfig { Auth = "xauth", XAuthId = serverExpects }, pools: ["rw"], pull: pull);
        }
        left.Engine.Load([carol], clientSecrets);
        right.Engine.Load([gw], serverSecrets);
        Assert.True(AddressRange.TryParse("10.3.0.0/24", out var range, out _));
        right.Engine.Pools.Load([new AddressPoolConfig { Name = "rw", Addresses = range!, Dns = [IPAddress.Parse("10.3.0.53")] }]);
        var host = new RecordingHost();
        left.Engine.VirtualIpHost = host;
        return (f, host);
    }

    private static int Count(ExchangeFixture f, byte exchange) => f.Network.Delivered.Count(d => d.ExchangeType == exchange);

    [Fact]
    public void Xauth_client_and_server_then_mode_config_pull_give_the_virtual_ip_used_by_quick_mode()
    {
        var (f, host) = Roadwarrior();
        var result = f.Initiate("rw");
        Assert.True(result!.Success, result.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);

        Assert.Equal(6, Count(f, MainMode));
        // XAuth: REQUEST/REPLY and SET/ACK; Mode Config: REQUEST/REPLY.
        Assert.Equal(6, Count(f, Transaction));
        Assert.Equal(3, Count(f, QuickMode));
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
        Assert.Equal(["10.3.0.1"], f.RightSa.RemoteVips);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(f.LeftSa.Children).LocalTs);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(f.RightSa.Children).RemoteTs);
        Assert.Equal(["add 10.3.0.1"], host.Calls);
        Assert.Contains("XAuth authentication of 'carol' successful", f.Right.Log.All);
        Assert.Contains("XAuth authentication of 'carol' (myself) successful", f.Left.Log.All);
        Assert.Contains("peer assigned DNS server(s) 10.3.0.53", f.Left.Log.All);
        var pool = Assert.Single(f.Right.Engine.Pools.List(true));
        Assert.Equal(new PoolLease(IPAddress.Parse("10.3.0.1"), "carol", true), Assert.Single(pool.Leases));
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
        Assert.DoesNotContain(Password, f.Left.Log.All + f.Right.Log.All);
    }

    [Fact]
    public void Wrong_password_is_refused_with_the_reason_on_both_sides_and_no_sa_is_left()
    {
        var (f, host) = Roadwarrior(clientPassword: "wrong-password");
        var result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("XAuth authentication of 'carol' (myself) failed: the server refused it (XAUTH_STATUS FAIL)", result.Message);
        Assert.Contains("XAuth authentication of 'carol' failed: wrong password for user 'carol'", f.Right.Log.All);
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Equal(0, Count(f, QuickMode));
        Assert.Empty(host.Calls);
        Assert.Empty(Assert.Single(f.Right.Engine.Pools.List(true)).Leases);
        Assert.DoesNotContain("wrong-password", f.Left.Log.All + f.Right.Log.All);
    }

    [Fact]
    public void Unknown_user_and_user_other_than_xauth_id_are_refused()
    {
        var (f, _) = Roadwarrior(clientUser: "mallory");
        var result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("XAuth: no xauth- or eap- secret for our XAuth user 'mallory'", result.Message);

        (f, _) = Roadwarrior(serverExpects: "dave");
        result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("XAuth authentication of 'carol' failed: connection 'rw' accepts only XAuth user 'dave' (remote xauth_id)", f.Right.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Fact]
    public void Eap_secrets_serve_xauth_too()
    {
        var (f, _) = Roadwarrior(serverKind: "eap");
        var result = f.Initiate("rw");
        Assert.True(result!.Success, result.Message + "\n" + f.Right.Log.All);
    }

    [Fact]
    public void Mode_config_push_sends_the_virtual_ip_with_cfg_set()
    {
        var (f, host) = Roadwarrior(pull: false);
        var result = f.Initiate("rw");
        Assert.True(result!.Success, result.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(6, Count(f, Transaction));
        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(f.RightSa.Children).RemoteTs);
        Assert.Equal(["add 10.3.0.1"], host.Calls);
        Assert.Contains("waiting for the server to push a virtual IP (pull = no)", f.Left.Log.All);
    }

    [Fact]
    public void Server_as_main_mode_initiator_uses_xauth_resp_psk()
    {
        var (f, host) = Roadwarrior(serverInitiates: true, pull: false);
        var result = f.Initiate("rw");
        Assert.True(result!.Success, result.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Contains("XAuth authentication of 'carol' successful", f.Left.Log.All);
        Assert.Equal(["10.3.0.1"], f.RightSa.LocalVips);
        Assert.Equal(["add 10.3.0.1"], host.Calls);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(f.LeftSa.Children).RemoteTs);
    }

    [Fact]
    public void A_lost_transaction_message_is_retransmitted()
    {
        var (f, _) = Roadwarrior();
        f.Network.Lose(d => d.ExchangeType == Transaction, count: 2);
        InitiateResult? result = null;
        f.Left.Engine.Initiate("rw", null, r => result = r);
        f.Network.Run();
        Assert.Null(result);
        f.Advance(TimeSpan.FromSeconds(30));
        Assert.True(result!.Success, result.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
    }

    [Fact]
    public void A_server_without_xauth_refuses_the_xauth_proposal_naming_the_method()
    {
        var (f, _) = Roadwarrior();
        var plain = Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "gw", "carol@example.org", ["10.2.0.0/24"], ["dynamic"], pools: ["rw"]);
        f.Right.Engine.Load([plain], [EnginePeer.Secret("group-psk-group-psk", "carol@example.org", "gw")]);
        var result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("NO_PROPOSAL_CHOSEN", result.Message);
        Assert.Contains("XauthInitPsk", f.Right.Log.All);
    }
}

/// <summary>Mode Config without XAuth, repeated Transaction messages, and a client left waiting.</summary>
public class ModeConfigExchangeTests
{
    private const byte Transaction = 6;

    private static ExchangeFixture Plain(bool pull = true, AuthConfig? xauthRemote = null)
    {
        var f = new ExchangeFixture();
        var c = V1Fixture.Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "carol", "gw", "aes128-sha256-modp2048", "aes128-sha256", ["dynamic"], ["10.2.0.0/24"]);
        var g = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "gw", "carol", "aes128-sha256-modp2048", "aes128-sha256", ["10.2.0.0/24"], ["dynamic"]);
        var carol = new ConnectionConfig
        {
            Name = "rw", Version = 1, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals, DpdDelay = TimeSpan.Zero,
            Local = c.Local, Remote = c.Remote, Children = c.Children, Vips = [IPAddress.Any], ModeConfigPull = pull,
        };
        var gw = new ConnectionConfig
        {
            Name = "rw", Version = 1, LocalAddrs = g.LocalAddrs, RemoteAddrs = g.RemoteAddrs, Proposals = g.Proposals, DpdDelay = TimeSpan.Zero,
            Local = g.Local, Remote = g.Remote, Children = g.Children, Pools = ["rw"], ModeConfigPull = pull, XAuthRemote = xauthRemote,
        };
        var psk = EnginePeer.Secret("group-psk-group-psk", "carol", "gw");
        f.Left.Engine.Load([carol], [psk]);
        f.Right.Engine.Load([gw], [psk]);
        Assert.True(AddressRange.TryParse("10.3.0.0/24", out var range, out _));
        f.Right.Engine.Pools.Load([new AddressPoolConfig { Name = "rw", Addresses = range! }]);
        return f;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Mode_config_without_xauth_gives_the_virtual_ip(bool pull)
    {
        var f = Plain(pull);
        var result = f.Initiate("rw");
        Assert.True(result!.Success, result.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(2, f.Network.Delivered.Count(d => d.ExchangeType == Transaction));
        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
        Assert.Equal(["10.3.0.1/32"], Assert.Single(f.RightSa.Children).RemoteTs);
    }

    [Fact]
    public void A_repeated_mode_config_request_is_answered_from_the_cache_with_one_lease()
    {
        var f = Plain();
        f.Network.Duplicate(d => d.ExchangeType == Transaction && d.Source.Address.Equals(ExchangeFixture.LeftAddress));
        var result = f.Initiate("rw");
        Assert.True(result!.Success, result.Message + "\n" + f.Right.Log.All);
        Assert.Equal(["10.3.0.1"], f.LeftSa.LocalVips);
        Assert.Single(Assert.Single(f.Right.Engine.Pools.List(true)).Leases);
        Assert.Contains("sending the cached answer", f.Right.Log.All);
    }

    [Fact]
    public void A_client_whose_server_never_pushes_gives_up_after_the_half_open_timeout()
    {
        var f = Plain(pull: false);
        // The gateway pulls (its default), so nobody pushes: carol waits.
        var gw = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "gw", "carol", "aes128-sha256-modp2048", "aes128-sha256", ["10.2.0.0/24"], ["dynamic"]);
        f.Right.Engine.Load([gw], [EnginePeer.Secret("group-psk-group-psk", "carol", "gw")]);
        InitiateResult? result = null;
        f.Left.Engine.Initiate("rw", null, r => result = r);
        f.Network.Run();
        Assert.Null(result);
        Assert.Equal("CONNECTING", f.LeftSa.State);
        f.Advance(TimeSpan.FromSeconds(65), TimeSpan.FromSeconds(1));
        Assert.False(result!.Success);
        Assert.Contains("the peer did not run Mode Config within", result.Message);
        Assert.Empty(f.Left.Engine.ListSas());
    }
}
