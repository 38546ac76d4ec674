using System.Security.Cryptography;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Eap;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Eap;

public class EapTlsTests
{
    private static readonly EnginePki Pki = EnginePki.Shared;

    private static EapTlsCredentials Credentials(PrivateKey key, X509Certificate cert, string expectedPeer, X509Certificate? trusted = null) => new()
    {
        Certificate = cert,
        Key = key,
        VerifyPeer = (peer, intermediates, budget) =>
        {
            var result = new ChainValidator([trusted ?? Pki.Root]).Validate(peer, DateTime.UtcNow, intermediates, budget);
            if (!result.Ok) return result.Reason;
            return peer.SubjectDN.ToString().Contains(expectedPeer) ? null : $"'{peer.SubjectDN}' is not '{expectedPeer}'";
        },
    };

    private static (EapTlsCredentials Server, EapTlsCredentials Client) Pair(KeyKind kind, int bits, bool clientByOtherCa = false)
    {
        var serverKey = Pki.Key(kind, bits, 40);
        var clientKey = Pki.Key(kind, bits, 41);
        var serverCert = Pki.Issue(serverKey, "C=CH, O=Petrel Test, CN=gw.example.org", ["gw.example.org"], notBefore: DateTime.UtcNow.AddDays(-1));
        var clientCert = Pki.Issue(clientKey, "C=CH, O=Petrel Test, CN=carol", ["carol@example.org"], viaIntermediate: !clientByOtherCa, byOtherCa: clientByOtherCa,
            notBefore: DateTime.UtcNow.AddDays(-1));
        var server = Credentials(serverKey, serverCert, "CN=carol");
        var client = Credentials(clientKey, clientCert, "CN=gw.example.org");
        if (!clientByOtherCa)
            client = new EapTlsCredentials { Certificate = client.Certificate, Key = client.Key, Intermediates = [Pki.Intermediate], VerifyPeer = client.VerifyPeer };
        return (server, client);
    }

    private static EapConversation Run(EapTlsCredentials server, EapTlsCredentials client, out EapServerSession s, out EapPeerSession p)
    {
        var context = new EapServerContext { PeerIdentity = "carol", ServerIdentity = "gw", Random = RandomNumberGenerator.Fill };
        s = new EapServerSession("carol", false, 200, (_, id) => new EapTlsServer(new EapServerContext
        { PeerIdentity = context.PeerIdentity, ServerIdentity = context.ServerIdentity, Random = context.Random, FirstIdentifier = id }, server));
        p = new EapPeerSession("carol", EapType.Tls, _ => new EapTlsPeer(client));
        return new EapConversation(s, p);
    }

    [Theory]
    [InlineData(KeyKind.Ecdsa, 256, false)]
    [InlineData(KeyKind.Rsa, 2048, true)]
    public void Tls_authenticates_both_sides_and_derives_the_same_msk(KeyKind kind, int bits, bool fragments)
    {
        var (server, client) = Pair(kind, bits);
        var run = Run(server, client, out var s, out var p);
        Assert.Equal(EapServerStepKind.Success, run.Run());
        Assert.Equal(64, s.Msk.Length);
        Assert.Equal(s.Msk.ToArray(), p.Method!.Msk.ToArray());
        Assert.True(p.Method.Completed);
        if (!fragments) return;
        // With RSA the flight with the certificates does not fit one packet: L and M on the first fragment, M on the
        // middle ones, neither on the last; each fragment is acknowledged by an empty EAP-TLS packet.
        var fragmented = run.Packets.Where(x => x.Code == EapCode.Request && x.Data.Length > 1 && (x.Data[0] & 0x40) != 0).ToList();
        Assert.NotEmpty(fragmented);
        Assert.Equal(0xC0, fragmented[0].Data[0]);
        Assert.True(run.Packets.Count(x => x.Code == EapCode.Response && x.Data.Length == 1 && x.Data[0] == 0) >= fragmented.Count);
        Assert.All(run.Packets, x => Assert.True(x.Bytes.Length <= 1024));
    }

    [Fact]
    public void Tls_server_refuses_a_client_certificate_from_an_untrusted_ca_with_a_reason()
    {
        var (server, client) = Pair(KeyKind.Ecdsa, 256, clientByOtherCa: true);
        var run = Run(server, client, out _, out _);
        Assert.Equal(EapServerStepKind.Failure, run.Run());
        Assert.StartsWith("EAP-TLS peer certificate refused: ", run.ServerReason);
        Assert.Contains("CN=carol", run.ServerReason);
    }

    [Fact]
    public void Tls_client_refuses_a_server_certificate_it_does_not_trust()
    {
        var (server, client) = Pair(KeyKind.Ecdsa, 256);
        var distrusting = Credentials(client.Key, client.Certificate, "CN=gw.example.org", trusted: Pki.OtherRoot);
        var run = Run(server, distrusting, out _, out var p);
        Assert.Null(run.Run());
        Assert.StartsWith("EAP-TLS server certificate refused: ", run.PeerError);
    }

    [Fact]
    public void Framing_reassembles_fragments_and_bounds_the_message()
    {
        var sender = new EapTlsFraming(100);
        var message = new byte[250];
        RandomNumberGenerator.Fill(message);
        sender.Queue(message);
        var receiver = new EapTlsFraming(100);
        var first = sender.NextFragment();
        Assert.Equal(0xC0, first[0]);
        Assert.Equal(250, (first[1] << 24) | (first[2] << 16) | (first[3] << 8) | first[4]);
        Assert.Null(receiver.Receive(first, out var e1));
        Assert.Equal("", e1);
        var second = sender.NextFragment();
        Assert.Equal(0x40, second[0]);
        Assert.Null(receiver.Receive(second, out _));
        var last = sender.NextFragment();
        Assert.Equal(0x00, last[0]);
        Assert.False(sender.Sending);
        Assert.Equal(message, receiver.Receive(last, out _));

        // More data than the L field announced is refused.
        var liar = new EapTlsFraming(100);
        Assert.Null(liar.Receive([0xC0, 0, 0, 0, 2, 1, 2, 3], out var e2));
        Assert.Contains("length", e2);
        Assert.Null(liar.Receive([0xC0, 0x7f, 0, 0, 0, 1], out var e3));
        Assert.Contains("invalid", e3);
    }
}
