using System.Net;
using System.Text;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Pools;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// XAuth after certificate authentication (strongSwan's `local-1 { auth = pubkey } local-2 { auth = xauth }`): Main Mode
/// negotiates XAUTHInitRSA (65005) when the initiator is the XAuth client and XAUTHRespRSA (65006) when the responder
/// is, signs and verifies as RSA, then runs XAuth and Mode Config. strongSwan has no ECDSA variant, so an ECDSA key is
/// refused with the reason.
/// </summary>
public class XAuthCertificateTests
{
    private const byte MainMode = 2, Transaction = 6, QuickMode = 32;
    private const string ClientDn = "C=CH, O=Petrel Test, CN=carol.petrel.test";
    private const string GatewayDn = "C=CH, O=Petrel Test, CN=gw.petrel.test";
    private const string Password = "Xf8kq2Lm";

    private static EnginePki Pki => EnginePki.Shared;

    private static ConnectionConfig Connection(IPAddress local, IPAddress remote, string localId, string remoteId, string[] localTs, string[] remoteTs,
        AuthConfig? xauthLocal = null, AuthConfig? xauthRemote = null, IPAddress[]? vips = null, string[]? pools = null, bool pull = true)
    {
        var c = V1Fixture.Connection(local, remote, localId, remoteId, "aes128-sha256-modp2048", "aes128-sha256", localTs, remoteTs, auth: "pubkey");
        return new ConnectionConfig
        {
            Name = "rw", Version = 1, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals, DpdDelay = TimeSpan.Zero,
            Local = c.Local, Remote = c.Remote, Children = c.Children, XAuthLocal = xauthLocal, XAuthRemote = xauthRemote,
            Vips = vips ?? [], Pools = pools ?? [], ModeConfigPull = pull,
        };
    }

    /// <summary>The initiator (left) is the XAuth client carol, unless <paramref name="gatewayInitiates"/> (then the gateway pushes the address, pull = no).</summary>
    private static ExchangeFixture Create(KeyKind kind = KeyKind.Rsa, int bits = 2048, bool gatewayInitiates = false, string clientPassword = Password)
    {
        var clientKey = Pki.Key(kind, bits, 1);
        var gatewayKey = Pki.Key(kind, bits, 2);
        var clientCert = Pki.Issue(clientKey, ClientDn, ["carol.petrel.test"]);
        var gatewayCert = Pki.Issue(gatewayKey, GatewayDn, ["gw.petrel.test"]);
        var f = new ExchangeFixture();
        var (clientAddress, gatewayAddress) = gatewayInitiates
            ? (ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress) : (ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress);
        var client = Connection(clientAddress, gatewayAddress, ClientDn, GatewayDn, ["dynamic"], ["10.2.0.0/24"],
            xauthLocal: new AuthConfig { Auth = "xauth", XAuthId = "carol" }, vips: [IPAddress.Any], pull: !gatewayInitiates);
        var gateway = Connection(gatewayAddress, clientAddress, GatewayDn, ClientDn, ["10.2.0.0/24"], ["dynamic"],
            xauthRemote: new AuthConfig { Auth = "xauth" }, pools: ["rw"], pull: !gatewayInitiates);
        var (clientPeer, gatewayPeer) = gatewayInitiates ? (f.Right, f.Left) : (f.Left, f.Right);
        clientPeer.Engine.Load([client], [new SharedSecret { Ids = ["carol"], Secret = Encoding.UTF8.GetBytes(clientPassword), Kind = "xauth" }],
            Pki.Store(clientCert, clientKey, [Pki.Root]));
        gatewayPeer.Engine.Load([gateway], [new SharedSecret { Ids = ["carol"], Secret = Encoding.UTF8.GetBytes(Password), Kind = "xauth" }],
            Pki.Store(gatewayCert, gatewayKey, [Pki.Root]));
        Assert.True(AddressRange.TryParse("10.3.0.0/24", out var range, out _));
        gatewayPeer.Engine.Pools.Load([new AddressPoolConfig { Name = "rw", Addresses = range!, Dns = [IPAddress.Parse("10.3.0.53")] }]);
        return f;
    }

    private static int Count(ExchangeFixture f, byte exchange) => f.Network.Delivered.Count(d => d.ExchangeType == exchange);

    [Theory]
    [InlineData(false, "RSA signature with XAuth (XAUTHInitRSA)")]
    [InlineData(true, "RSA signature with XAuth (XAUTHRespRSA)")]
    public void Certificates_then_xauth_give_the_client_a_virtual_ip(bool gatewayInitiates, string method)
    {
        var f = Create(gatewayInitiates: gatewayInitiates);
        var result = f.Initiate("rw");
        Assert.True(result?.Success == true, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(6, Count(f, MainMode));
        Assert.Equal(3, Count(f, QuickMode));
        Assert.True(Count(f, Transaction) >= 4, $"{Count(f, Transaction)} Transaction messages");
        Assert.Contains($"is initiating a Main Mode IKE_SA, selected IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048/{method}", f.Right.Log.All);
        Assert.Contains($"with {method} successful", f.Left.Log.All);
        var (client, gateway) = gatewayInitiates ? (f.Right, f.Left) : (f.Left, f.Right);
        var clientSa = Assert.Single(client.Engine.ListSas());
        var gatewaySa = Assert.Single(gateway.Engine.ListSas());
        Assert.Equal(GatewayDn, clientSa.RemoteId);
        Assert.Equal(ClientDn, gatewaySa.RemoteId);
        Assert.Equal(["10.3.0.1"], clientSa.LocalVips);
        Assert.Equal(["10.3.0.1"], gatewaySa.RemoteVips);
        Assert.Equal(("carol", false), (gatewaySa.XAuthIdentity, gatewaySa.XAuthLocal));
        Assert.Equal(("carol", true), (clientSa.XAuthIdentity, clientSa.XAuthLocal));
        Assert.Contains("XAuth authentication of 'carol' successful", gateway.Log.All);
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
    }

    [Fact]
    public void A_wrong_xauth_password_after_good_certificates_is_refused()
    {
        var f = Create(clientPassword: "not-the-password");
        var result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("XAuth authentication of 'carol' failed: wrong password for user 'carol'", f.Right.Log.All);
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Equal(0, Count(f, QuickMode));
    }

    [Fact]
    public void An_ecdsa_key_cannot_do_xauth_with_certificates_and_says_why()
    {
        var f = Create(KeyKind.Ecdsa, 256);
        var result = f.Initiate("rw");
        Assert.False(result!.Success);
        Assert.Contains("XAuth with certificates signs with RSA (XAUTHInitRSA/XAUTHRespRSA, as strongSwan), but our key for connection 'rw' makes ECDSA-256 signatures", result.Message);
        Assert.Equal(0, Count(f, MainMode));
    }
}
