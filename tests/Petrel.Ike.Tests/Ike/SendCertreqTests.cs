using System.Net;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// swanctl.conf send_certreq: with no, no CERTREQ leaves this side, in IKE_SA_INIT (responder) or IKE_AUTH
/// (initiator); the peer then picks its certificate without our hint, as the exchange below shows.
/// </summary>
public class SendCertreqTests
{
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private static EnginePki Pki => EnginePki.Shared;

    private static ConnectionConfig WithCertreq(ConnectionConfig c, bool send) => new()
    {
        Name = c.Name, LocalAddrs = c.LocalAddrs, RemoteAddrs = c.RemoteAddrs, Proposals = c.Proposals, Fragmentation = c.Fragmentation,
        Local = c.Local, Remote = c.Remote, Children = c.Children, SendCertreq = send,
    };

    /// <summary>The gateway (right) holds a certificate under another CA first and one under the root; the client trusts the root.</summary>
    private static ExchangeFixture Create(bool clientSends, bool gatewaySends)
    {
        var gwKeyA = Pki.Key(KeyKind.Ecdsa, 256, 41);
        var gwKeyB = Pki.Key(KeyKind.Ecdsa, 256, 42);
        var clientKey = Pki.Key(KeyKind.Ecdsa, 256, 43);
        var underOther = Pki.Issue(gwKeyB, "C=CH, O=Elsewhere, CN=gw2.elsewhere.test", ["gw2.elsewhere.test"], byOtherCa: true);
        var underRoot = Pki.Issue(gwKeyA, "C=CH, O=Petrel Test, CN=gw2.petrel.test", ["gw2.petrel.test"]);
        var client = Pki.Issue(clientKey, "C=CH, O=Petrel Test, CN=client2.petrel.test", ["client2.petrel.test"]);
        var gateway = Pki.Store(underOther, gwKeyB, [Pki.Root, Pki.OtherRoot]);
        gateway.AddCertificate(underRoot, EnginePki.FileName(underRoot));
        gateway.AddKey(gwKeyA);
        var f = new ExchangeFixture();
        f.Left.Engine.Load([WithCertreq(EnginePki.Connection("site", L, R, remoteCacerts: [EnginePki.FileName(Pki.Root)],
            localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"]), clientSends)], [], Pki.Store(client, clientKey, [Pki.Root]));
        f.Right.Engine.Load([WithCertreq(EnginePki.Connection("site", R, L, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"]), gatewaySends)], [], gateway);
        return f;
    }

    private static bool InitResponseHasCertreq(ExchangeFixture f)
    {
        var response = f.Network.Delivered.First(d => d.ExchangeType == 34 && d.IsResponse);
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(response.Data, null, out var m, out _));
        return m!.Payloads.OfType<CertificateRequestPayload>().Any();
    }

    [Fact]
    public void With_the_default_both_sides_send_certreq_and_the_gateway_picks_the_certificate_asked_for()
    {
        var f = Create(clientSends: true, gatewaySends: true);
        var result = f.Initiate();
        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.True(InitResponseHasCertreq(f));
        Assert.Equal("C=CH, O=Petrel Test, CN=gw2.petrel.test", f.LeftSa.RemoteId);
    }

    [Fact]
    public void A_client_with_send_certreq_no_gives_no_hint_so_the_gateway_sends_its_first_certificate()
    {
        var f = Create(clientSends: false, gatewaySends: true);
        var result = f.Initiate();
        // Without CERTREQ the gateway takes its first certificate, under a CA the client does not trust.
        Assert.False(result is { Success: true }, f.Right.Log.All);
        Assert.True(InitResponseHasCertreq(f));
        Assert.Contains("CN=gw2.elsewhere.test", f.Right.Log.All + f.Left.Log.All);
    }

    [Fact]
    public void A_gateway_with_send_certreq_no_leaves_certreq_out_of_its_ike_sa_init_response()
    {
        var f = Create(clientSends: true, gatewaySends: false);
        var result = f.Initiate();
        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.False(InitResponseHasCertreq(f));
    }
}
