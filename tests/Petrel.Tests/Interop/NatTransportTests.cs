using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// ESP transport mode across a real NAT (RFC 3948 §3.1.2, RFC 7296 §2.23.1), Petrel ⇄ Petrel: the
/// client sits behind an nftables masquerade in a router namespace (<see cref="NatTransportLab"/>).
/// The CHILD_SA comes up in transport mode inside UDP 4500, the server's selectors name the NAT's
/// address (what its host sees), pings and UDP go both ways, a TCP transfer arrives with the same
/// SHA-256, the server's stack counts no checksum errors (the fix-up works: its TUN device hands
/// packets to a stack that verifies TCP/UDP checksums), and the wire between router and server
/// carries nothing but UDP 4500.
/// </summary>
[Trait("Category", "Interop")]
public sealed class NatTransportTests(NatTransportLab fixture, ITestOutputHelper output) : IClassFixture<NatTransportLab>
{
    [RootFact]
    public void Transport_mode_behind_a_masquerade_nat_carries_ping_udp_and_tcp_in_udp_4500()
    {
        var lab = fixture.Lab;
        var client = fixture.Client;
        var clientPetrel = fixture.ClientPetrel;
        var server = fixture.ServerPetrel;
        string nat = lab.Left.OuterV4, serverAddress = lab.Right.OuterV4;
        try
        {
            var up = clientPetrel.Up("nt", "ntc", timeoutSeconds: 20);
            Assert.True(up.Succeeded, up.Describe());

            var serverChild = server.ListSas().Find("nt")?.Children.SingleOrDefault();
            Assert.True(serverChild is not null, "the server lists no CHILD_SA");
            output.WriteLine("server child: " + serverChild!.Raw.ToJsonString());
            Assert.Equal("TRANSPORT", Str(serverChild.Raw, "mode").ToUpperInvariant());
            Assert.True(serverChild.Raw["encap"]?.GetValue<bool>(), "the server's CHILD_SA is not UDP-encapsulated");
            Assert.Equal([serverAddress + "/32"], Strings(serverChild.Raw, "local_ts"));
            Assert.Equal([nat + "/32"], Strings(serverChild.Raw, "remote_ts"));
            var clientChild = clientPetrel.ListSas().Find("nt")?.Children.SingleOrDefault();
            Assert.Equal([NatTransportLab.ClientAddress + "/32"], Strings(clientChild!.Raw, "local_ts"));
            Assert.Equal([serverAddress + "/32"], Strings(clientChild.Raw, "remote_ts"));
            Assert.Contains("transport mode behind NAT", server.Log(), StringComparison.Ordinal);

            var errorsBefore = ChecksumErrors(lab, lab.Right);
            string pcap;
            TcpTransfer.Result tcp;
            using (var capture = PacketCapture.Start(lab, lab.Right, "nat-transport", snapLength: 200))
            {
                var ping = lab.Exec(client, TimeSpan.FromSeconds(30), "ping", "-c", "5", "-i", "0.2", "-W", "3", serverAddress);
                output.WriteLine(ping.StandardOutput);
                Assert.True(ping.Succeeded, ping.Describe());
                // The server's host answers the NAT's address; its route for it leads into the tunnel.
                var back = lab.Exec(lab.Right, TimeSpan.FromSeconds(30), "ping", "-c", "3", "-i", "0.2", "-W", "3", nat);
                Assert.True(back.Succeeded, back.Describe());
                UdpBothWays(client, lab.Right, serverAddress, nat);
                tcp = TcpTransfer.Run(client, fixture.Server, 2 << 20, port: 45311, timeout: TimeSpan.FromSeconds(60));
                pcap = capture.Stop();
            }
            output.WriteLine("tcp: " + tcp);
            Assert.Equal(2L << 20, tcp.BytesReceived);
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());

            var errorsAfter = ChecksumErrors(lab, lab.Right);
            output.WriteLine($"server Tcp/Udp InCsumErrors before {errorsBefore}, after {errorsAfter}");
            Assert.Equal(errorsBefore, errorsAfter);

            // The router–server wire: only UDP 4500 between the NAT and the server, ESP inside it.
            var frames = Tshark.Fields(pcap, "ip", ["frame.protocols", "ip.src", "ip.dst", "udp.srcport", "udp.dstport"]);
            int esp = frames.Count(f => f[0].Contains(":udp:", StringComparison.Ordinal) && f[0].Contains(":esp", StringComparison.Ordinal));
            int other = frames.Count(f => !(f.Length > 4 && (f[3] == "4500" || f[4] == "4500")));
            int clear = frames.Count(f => !f[0].Contains(":esp", StringComparison.Ordinal)
                && (f[0].Contains(":tcp", StringComparison.Ordinal) || f[0].Contains(":icmp", StringComparison.Ordinal)));
            int privateSource = frames.Count(f => f[1].Contains(NatTransportLab.ClientAddress, StringComparison.Ordinal)
                || f[2].Contains(NatTransportLab.ClientAddress, StringComparison.Ordinal));
            output.WriteLine($"wire: {frames.Count} IPv4 frames, ESP-in-UDP 4500 {esp}, not UDP 4500 {other}, cleartext TCP/ICMP {clear}, with {NatTransportLab.ClientAddress} {privateSource}");
            Assert.True(esp >= 40, $"expected at least 40 ESP-in-UDP frames, saw {esp}");
            Assert.Equal(0, other);
            Assert.Equal(0, clear);
            Assert.Equal(0, privateSource);
        }
        catch
        {
            output.WriteLine(clientPetrel.Diagnostics());
            output.WriteLine(server.Diagnostics());
            throw;
        }
        finally
        {
            clientPetrel.Cli("down", "nt", "--timeout", "5");
        }
    }

    /// <summary>
    /// Odd-sized UDP datagrams client → server: the server's socket sees them from the NAT's
    /// address (the inner header the data plane rebuilt) and its echo to that address returns.
    /// </summary>
    private void UdpBothWays(LabSite client, LabSite serverSite, string serverAddress, string nat)
    {
        using var listener = NamespaceSocket.Create(serverSite.Namespace, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        listener.Bind(new IPEndPoint(IPAddress.Parse(serverAddress), 45312));
        listener.ReceiveTimeout = 5000;
        using var sender = NamespaceSocket.Create(client.Namespace, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Parse(NatTransportLab.ClientAddress), 0));
        sender.ReceiveTimeout = 5000;
        var buffer = new byte[2048];
        foreach (int size in new[] { 1, 333, 1001 })
        {
            var payload = new byte[size];
            new Random(size).NextBytes(payload);
            sender.SendTo(payload, new IPEndPoint(IPAddress.Parse(serverAddress), 45312));
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n = listener.ReceiveFrom(buffer, ref from);
            Assert.Equal(payload, buffer.AsSpan(0, n).ToArray());
            Assert.Equal(IPAddress.Parse(nat), ((IPEndPoint)from).Address);
            listener.SendTo(buffer.AsSpan(0, n), from);
            EndPoint echoFrom = new IPEndPoint(IPAddress.Any, 0);
            int m = sender.ReceiveFrom(buffer, ref echoFrom);
            Assert.Equal(payload, buffer.AsSpan(0, m).ToArray());
            Assert.Equal(IPAddress.Parse(serverAddress), ((IPEndPoint)echoFrom).Address);
        }
        output.WriteLine($"udp: 3 datagrams (1, 333, 1001 bytes) arrived from {nat} and were echoed back");
    }

    /// <summary>Tcp InCsumErrors + Udp InCsumErrors from the site's /proc/net/snmp.</summary>
    private static long ChecksumErrors(NamespacePair lab, LabSite site)
    {
        var lines = lab.Exec(site, "cat", "/proc/net/snmp").EnsureSuccess().StandardOutput.Split('\n');
        long total = 0;
        foreach (var proto in new[] { "Tcp:", "Udp:" })
        {
            var rows = lines.Where(l => l.StartsWith(proto, StringComparison.Ordinal)).ToList();
            var names = rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            total += long.Parse(values[Array.IndexOf(names, "InCsumErrors")]);
        }
        return total;
    }

    private static string Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : "";

    private static string[] Strings(JsonObject o, string key) => o[key] is JsonArray a ? [.. a.Select(n => n!.GetValue<string>())] : [];
}
