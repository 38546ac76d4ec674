using System.Net;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// RFC 7296 §3.7: a gateway holding certificates from two CAs, with neither local.certs nor local.id configured,
/// sends the one issued under the CA its peer names in CERTREQ, and takes that certificate's subject as its identity.
/// </summary>
public class CertificateRequestSelectionTests
{
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private const string ClientDn = "C=CH, O=Petrel Test, CN=client.petrel.test";
    private const string GatewayUnderRoot = "C=CH, O=Petrel Test, CN=gw.petrel.test";
    private const string GatewayUnderOther = "C=CH, O=Elsewhere, CN=gw.elsewhere.test";

    private static EnginePki Pki => EnginePki.Shared;

    /// <summary>
    /// Right (the gateway) holds both certificates, the one under the other CA first, so without CERTREQ it would
    /// send that one; left (the client) trusts one CA only and says so in CERTREQ.
    /// </summary>
    private static ExchangeFixture Create(X509Certificate clientTrusts)
    {
        var gwKeyA = Pki.Key(KeyKind.Ecdsa, 256, 31);
        var gwKeyB = Pki.Key(KeyKind.Ecdsa, 256, 32);
        var clientKey = Pki.Key(KeyKind.Ecdsa, 256, 33);
        var underOther = Pki.Issue(gwKeyB, GatewayUnderOther, ["gw.elsewhere.test"], byOtherCa: true);
        var underRoot = Pki.Issue(gwKeyA, GatewayUnderRoot, ["gw.petrel.test"]);
        var client = Pki.Issue(clientKey, ClientDn, ["client.petrel.test"]);

        var gateway = Pki.Store(underOther, gwKeyB, [Pki.Root, Pki.OtherRoot]);
        gateway.AddCertificate(underRoot, EnginePki.FileName(underRoot));
        gateway.AddKey(gwKeyA);
        var f = new ExchangeFixture();
        f.Left.Engine.Load([EnginePki.Connection("site", L, R, remoteCacerts: [EnginePki.FileName(clientTrusts)],
            localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"])], [],
            Pki.Store(client, clientKey, [clientTrusts]));
        f.Right.Engine.Load([EnginePki.Connection("site", R, L, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"])], [], gateway);
        return f;
    }

    [Theory]
    [InlineData(true, GatewayUnderRoot)]
    [InlineData(false, GatewayUnderOther)]
    public void The_gateway_sends_the_certificate_the_client_asked_for(bool clientTrustsRoot, string expectedGateway)
    {
        var f = Create(clientTrustsRoot ? Pki.Root : Pki.OtherRoot);

        var result = f.Initiate();

        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(expectedGateway, f.LeftSa.RemoteId);
        Assert.Equal(expectedGateway, f.RightSa.LocalId);
        Assert.Equal(ClientDn, f.RightSa.RemoteId);
    }
}
