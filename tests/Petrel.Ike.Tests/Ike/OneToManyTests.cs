using System.Net;
using Petrel.Ike.Certificates;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// One responder with remote_addrs = %any serving many initiators at once, each with its own certificate: every
/// client ends with its own IKE SA and CHILD_SA, known by its certificate's subject; connections are chosen by the
/// configured remote id and by the issuing CA.
/// </summary>
public class OneToManyTests
{
    private const int Clients = 25;
    private const string GatewayDn = "C=CH, O=Petrel Test, CN=gw.petrel.test";
    private static readonly IPAddress Gateway = IPAddress.Parse("198.51.100.200");

    private static string ClientDn(int i) => $"C=CH, O=Petrel Test, OU=Clients, CN=client-{i:00}";

    [Fact]
    public void Twenty_five_clients_with_their_own_certificates_each_get_an_ike_sa_and_child_sa()
    {
        var pki = EnginePki.Shared;
        var network = new InMemoryNetwork();
        var clock = new VirtualClock();
        var gatewayKey = pki.Key(KeyKind.Ecdsa, 256, 100);
        var gatewayCert = pki.Issue(gatewayKey, GatewayDn, ["gw.petrel.test"]);
        var gateway = new EnginePeer("gw", Gateway, network, clock, 500);
        // Three %any connections: one for a named client, one for the root's clients, one for the other CA's clients.
        gateway.Engine.Load(
        [
            EnginePki.Connection("boss", Gateway, null, remoteId: ClientDn(0)),
            EnginePki.Connection("staff", Gateway, null, remoteCacerts: [EnginePki.FileName(pki.Root)]),
            EnginePki.Connection("guests", Gateway, null, remoteCacerts: [EnginePki.FileName(pki.OtherRoot)]),
        ], [], pki.Store(gatewayCert, gatewayKey, [pki.Root, pki.OtherRoot]));

        var clients = new List<EnginePeer>();
        var results = new InitiateResult?[Clients];
        for (int i = 0; i < Clients; i++)
        {
            var address = IPAddress.Parse($"198.51.100.{10 + i}");
            var key = pki.Key(KeyKind.Ecdsa, 256, 200 + i);
            // Every fifth client holds a certificate of the other CA (a guest), the rest are staff.
            bool guest = i % 5 == 4;
            var cert = pki.Issue(key, ClientDn(i), [$"client-{i:00}.petrel.test"], byOtherCa: guest);
            var client = new EnginePeer($"client{i}", address, network, clock, 1000 + i);
            client.Engine.Load([EnginePki.Connection("home", address, Gateway, remoteId: GatewayDn)], [],
                pki.Store(cert, key, [pki.Root, pki.OtherRoot]));
            clients.Add(client);
        }

        // All IKE_SA_INITs leave before any answer is delivered: the gateway has 25 half-open SAs at once.
        for (int i = 0; i < Clients; i++)
        {
            int n = i;
            clients[i].Engine.Initiate("home", null, r => results[n] = r);
        }
        network.Run(10_000);

        for (int i = 0; i < Clients; i++)
            Assert.True(results[i] is { Success: true }, $"client {i}: {results[i]?.Message}\n{clients[i].Log.All}\n{gateway.Log.All}");
        var sas = gateway.Engine.ListSas();
        Assert.Equal(Clients, sas.Count);
        Assert.Equal(Clients, sas.Select(s => s.RemoteHost).Distinct().Count());
        for (int i = 0; i < Clients; i++)
        {
            string host = $"198.51.100.{10 + i}";
            var sa = Assert.Single(sas, s => s.RemoteHost == host);
            Assert.Equal("ESTABLISHED", sa.State);
            Assert.Equal(ClientDn(i), sa.RemoteId);
            Assert.Equal(GatewayDn, sa.LocalId);
            Assert.Equal(i == 0 ? "boss" : i % 5 == 4 ? "guests" : "staff", sa.Name);
            var child = Assert.Single(sa.Children);
            Assert.Equal("INSTALLED", child.State);
            Assert.Equal([$"{host}/32"], child.RemoteTs);

            var clientSa = Assert.Single(clients[i].Engine.ListSas());
            Assert.Equal(GatewayDn, clientSa.RemoteId);
            Assert.Equal(ClientDn(i), clientSa.LocalId);
            // The client's outbound SA is the gateway's inbound one.
            Assert.Equal(Assert.Single(clientSa.Children).SpiOut, child.SpiIn);
        }
        Assert.Equal(Clients * 2, gateway.Kernel.Sas.Count);
    }

    [Fact]
    public void A_client_of_an_unknown_ca_finds_no_connection_and_the_log_says_why()
    {
        var pki = EnginePki.Shared;
        var network = new InMemoryNetwork();
        var clock = new VirtualClock();
        var gatewayKey = pki.Key(KeyKind.Ecdsa, 256, 100);
        var gateway = new EnginePeer("gw", Gateway, network, clock, 500);
        gateway.Engine.Load([EnginePki.Connection("staff", Gateway, null, remoteCacerts: [EnginePki.FileName(pki.Root)])], [],
            pki.Store(pki.Issue(gatewayKey, GatewayDn), gatewayKey, [pki.Root, pki.OtherRoot]));
        var address = IPAddress.Parse("198.51.100.77");
        var key = pki.Key(KeyKind.Ecdsa, 256, 300);
        var client = new EnginePeer("stranger", address, network, clock, 77);
        client.Engine.Load([EnginePki.Connection("home", address, Gateway)], [], pki.Store(pki.Issue(key, ClientDn(77), byOtherCa: true), key, [pki.Root]));

        InitiateResult? result = null;
        client.Engine.Initiate("home", null, r => result = r);
        network.Run();

        Assert.True(result is { Success: false });
        Assert.Contains("AUTHENTICATION_FAILED", result!.Message);
        Assert.Contains($"no connection matches peer identity '{ClientDn(77)}' authenticating with", gateway.Log.All);
        Assert.Contains($"'staff': certificate '{ClientDn(77)}' is not issued under its remote.cacerts", gateway.Log.All);
        Assert.Empty(gateway.Engine.ListSas());
    }
}
