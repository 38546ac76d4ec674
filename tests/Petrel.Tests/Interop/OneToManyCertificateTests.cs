using System.Text;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// One Petrel responder (right, <c>remote_addrs = %any</c>, <c>auth = pubkey</c>, no remote id: any certificate of
/// the lab CA) and 20 clients at once: one charon in the left namespace with 20 connections, each from its own
/// IKE address (198.18.0.10…29) and inner address (10.1.0.10…29) with its own certificate, all started when
/// loaded. Petrel ends with 20 IKE SAs, each named by its client's subject DN with its own CHILD_SA, and every
/// client's ping crosses its own CHILD_SA.
/// </summary>
[Trait("Category", "Interop")]
public sealed class OneToManyCertificateTests(OneToManyCertificateLab fixture, ITestOutputHelper output) : IClassFixture<OneToManyCertificateLab>
{
    private const int Clients = 20;
    private const string GatewayDn = "C=CH, O=Petrel Lab, CN=gw.petrel.test";
    private static readonly ProposalPair Proposals = ProposalPair.Gcm128;

    private static string ClientDn(int i) => $"C=CH, O=Petrel Lab, OU=Clients, CN=client{i:00}";
    private static string ClientIke(int i) => $"198.18.0.{10 + i}";
    private static string ClientInner(int i) => $"10.1.0.{10 + i}";

    [RootFact]
    public void Twenty_clients_with_their_own_certificates_connect_at_once_to_one_responder()
    {
        var lab = fixture.Lab;
        var started = DateTime.UtcNow;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki"), LabPkiTool.Petrel, "ecdsa");
        pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
        pki.Issue("labca", "gw", GatewayDn, ["gw.petrel.test", lab.Right.OuterV4]);
        var clientCerts = new List<string>();
        for (int i = 0; i < Clients; i++)
        {
            pki.Issue("labca", $"client{i:00}", ClientDn(i), [$"client{i:00}.petrel.test"]);
            clientCerts.Add($"client{i:00}");
            lab.Exec(lab.Left, "ip", "addr", "add", ClientIke(i) + "/24", "dev", "eth0").EnsureSuccess();
            lab.Exec(lab.Left, "ip", "addr", "add", ClientInner(i) + "/32", "dev", "lan0").EnsureSuccess();
        }

        var gateway = new StringBuilder("connections {\n");
        LabConfig.AppendConnection(gateway, "rw", lab.Right.OuterV4, "%any", Proposals, new LabAuth("gw.pem"), lab.Right.SubnetV4, "10.1.0.0/24");
        gateway.AppendLine("}");
        var clients = new StringBuilder("connections {\n");
        for (int i = 0; i < Clients; i++)
            LabConfig.AppendConnection(clients, $"c{i:00}", ClientIke(i), lab.Right.OuterV4, Proposals, new LabAuth($"client{i:00}.pem", RemoteId: GatewayDn),
                ClientInner(i) + "/32", lab.Right.SubnetV4, startAction: "start");
        clients.AppendLine("}");

        using var petrel = PetrelPeer.Start(lab, lab.Right, gateway.ToString(), pki.Site("gw", ["gw"], ["labca"]));
        // Loading the connections with start_action = start makes charon initiate all 20 at once.
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, clients.ToString(), pki.Site("clients", clientCerts, ["labca"]));
        try
        {
            PetrelSaListing listing = petrel.ListSasOverSocket();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (Established(listing) < Clients && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
                listing = petrel.ListSasOverSocket();
            }
            output.WriteLine($"{Established(listing)} IKE SAs established after {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
            Assert.True(Established(listing) == Clients, $"Petrel has {Established(listing)} of {Clients} IKE SAs with an installed CHILD_SA:\n{listing.Json}");

            // Each IKE SA is one client, named by its certificate's subject, with its own narrowed CHILD_SA.
            var byId = listing.Sas.Where(s => s.State == "ESTABLISHED").ToDictionary(s => s.Raw["remote_id"]!.GetValue<string>());
            for (int i = 0; i < Clients; i++)
            {
                Assert.True(byId.TryGetValue(ClientDn(i), out var sa), $"no IKE SA for '{ClientDn(i)}':\n{listing.Json}");
                Assert.Equal("rw", sa!.Name);
                Assert.False(sa.Initiator);
                Assert.Equal(GatewayDn, sa.Raw["local_id"]?.GetValue<string>());
                Assert.Equal(ClientIke(i), sa.Raw["remote_host"]?.GetValue<string>()?.Split('[')[0]);
                var child = Assert.Single(sa.Children);
                Assert.Equal("INSTALLED", child.State);
            }

            // Every client's traffic crosses its own CHILD_SA.
            var pings = Enumerable.Range(0, Clients).AsParallel().WithDegreeOfParallelism(5).Select(i =>
                (i, lab.Exec(lab.Left, TimeSpan.FromSeconds(20), "ping", "-4", "-c", "2", "-i", "0.2", "-W", "3", "-I", ClientInner(i), lab.Right.LanV4))).ToList();
            foreach (var (i, ping) in pings)
                Assert.True(ping.Succeeded, $"client {i}: {ping.Describe()}");
            listing = petrel.ListSasOverSocket();
            foreach (var sa in listing.Sas.Where(s => s.State == "ESTABLISHED"))
            {
                var child = Assert.Single(sa.Children);
                Assert.True(child.PacketsIn >= 2 && child.PacketsOut >= 2, $"{sa.Raw["remote_id"]}: CHILD_SA counted {child.PacketsIn} in / {child.PacketsOut} out");
            }
            var cli = petrel.Cli("list-sas", "--json").EnsureSuccess().StandardOutput;
            for (int i = 0; i < Clients; i++)
                Assert.Contains($"\"remote_id\": \"{ClientDn(i)}\"", cli);
            output.WriteLine($"20 clients pinged through their CHILD_SAs; total {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    private static int Established(PetrelSaListing listing) =>
        listing.Sas.Count(s => s.State == "ESTABLISHED" && s.Children.Any(c => c.State == "INSTALLED"));
}
