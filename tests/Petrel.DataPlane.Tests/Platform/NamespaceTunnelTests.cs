using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.TestCrypto;
using Petrel.Platform.Host;
using Petrel.Platform.Net;
using Petrel.Platform.Routing;
using Petrel.Platform.Tun;
using Xunit.Abstractions;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// Two userspace data planes in two network namespaces (dp-a, dp-b) joined by a veth pair,
/// SAs and policies installed by hand: real TUN devices, routes, and UDP 4500 (RFC 3948) or raw
/// protocol 50 sockets.
/// <code>
///  dp-a: lo 10.1.0.1, 2001:db8:1::1 | dptun0 | dpa-eth0 198.18.0.1 or 2001:db8:18::1
///    ==== veth ==== dpb-eth0 198.18.0.2 or 2001:db8:18::2 | dptun0 | lo 10.2.0.1, 2001:db8:2::1 :dp-b
/// </code>
/// </summary>
[Collection("netns")]
public sealed class NamespaceTunnelTests(ITestOutputHelper output)
{
    private const string NsA = "dp-a";
    private const string NsB = "dp-b";
    private const uint SpiAToB = 0xc0de0001, SpiBToA = 0xc0de0002;

    private sealed class Site(NamespaceThread thread, DataPlaneHost host) : IDisposable
    {
        public NamespaceThread Thread { get; } = thread;
        public DataPlaneHost Host { get; } = host;
        public UserspaceKernel Kernel => Host.Kernel;

        public void Dispose()
        {
            Thread.Run(Host.Dispose);
            Thread.Dispose();
        }
    }

    [RootTheory]
    [InlineData("198.18.0.1", "198.18.0.2", 24, true)]
    [InlineData("2001:db8:18::1", "2001:db8:18::2", 64, true)]
    [InlineData("198.18.0.1", "198.18.0.2", 24, false)]
    [InlineData("2001:db8:18::1", "2001:db8:18::2", 64, false)]
    public void Ping_and_tcp_cross_the_tunnel_and_the_wire_carries_only_esp(string outerA, string outerB, int outerPrefix, bool udpEncapsulation)
    {
        Cleanup();
        Process? capture = null;
        Site? a = null, b = null;
        var pcap = Path.Combine(Path.GetTempPath(), $"dp-{Environment.ProcessId}.pcap");
        try
        {
            CreateNamespaces(outerA, outerB, outerPrefix);

            var key = RandomNumberGenerator.GetBytes(20);
            var key2 = RandomNumberGenerator.GetBytes(20);
            a = StartSite(NsA, outerA, outerB, ["10.1.0.0/24", "2001:db8:1::/64"], ["10.2.0.0/24", "2001:db8:2::/64"], SpiAToB, SpiBToA, key, key2, udpEncapsulation);
            b = StartSite(NsB, outerB, outerA, ["10.2.0.0/24", "2001:db8:2::/64"], ["10.1.0.0/24", "2001:db8:1::/64"], SpiBToA, SpiAToB, key2, key, udpEncapsulation);
            output.WriteLine(Shell.Must("ip", "-n", NsA, "route"));
            output.WriteLine(Shell.Must("ip", "-n", NsA, "-6", "route"));

            string[] tcpdump = ["netns", "exec", NsA, "tcpdump", "-i", "dpa-eth0", "-n", "-U", "-w", pcap];
            Petrel.TestSupport.ExecutableLog.Record("ip", tcpdump);
            capture = Process.Start(new ProcessStartInfo("ip", tcpdump)
            { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            WaitForFile(pcap);

            var (code, ping) = Shell.Run("ip", "netns", "exec", NsA, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", "10.1.0.1", "10.2.0.1");
            output.WriteLine(ping);
            Assert.True(code == 0, ping);
            (code, ping) = Shell.Run("ip", "netns", "exec", NsA, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "-I", "2001:db8:1::1", "2001:db8:2::1");
            output.WriteLine(ping);
            Assert.True(code == 0, ping);

            // TCP: 4 MiB from 10.1.0.1 to 10.2.0.1 through the tunnel, checked end to end.
            var payload = RandomNumberGenerator.GetBytes(4 << 20);
            var listener = b.Thread.Run(() =>
            {
                var l = new TcpListener(IPAddress.Parse("10.2.0.1"), 5201);
                l.Start();
                return l;
            });
            var received = Task.Run(() =>
            {
                using var conn = listener.AcceptTcpClient();
                using var ms = new MemoryStream();
                conn.GetStream().CopyTo(ms);
                return ms.ToArray();
            });
            var client = a.Thread.Run(() =>
            {
                var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                c.Bind(new IPEndPoint(IPAddress.Parse("10.1.0.1"), 0));
                c.Connect(new IPEndPoint(IPAddress.Parse("10.2.0.1"), 5201));
                return c;
            });
            using (var stream = new NetworkStream(client, ownsSocket: true))
                stream.Write(payload);
            Assert.True(received.Wait(TimeSpan.FromSeconds(60)), "TCP transfer timed out");
            listener.Stop();
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received.Result));

            Thread.Sleep(300);
            capture.Kill();
            capture.WaitForExit();

            // Counters on both sides agree that traffic went through the SAs.
            Assert.True(a.Kernel.TryGetCounters(SpiAToB, SaDirection.Outbound, out var aOut));
            Assert.True(b.Kernel.TryGetCounters(SpiAToB, SaDirection.Inbound, out var bIn));
            output.WriteLine($"A out: {aOut}; B in: {bIn}; A drops: {string.Join(",", a.Kernel.Statistics.Drops())}; B drops: {string.Join(",", b.Kernel.Statistics.Drops())}");
            Assert.True(aOut.Packets >= 6 + 100, $"A sent {aOut.Packets} packets");
            Assert.True(bIn.Bytes >= (ulong)payload.Length);
            Assert.Equal(0UL, bIn.IntegrityFailures);

            // ESP-in-UDP on port 4500 (RFC 3948), or plain ESP as IP protocol 50.
            string carrier = udpEncapsulation ? "udp port 4500" : "(ip proto 50 or ip6 proto 50)";
            string esp = Shell.Must("tcpdump", "-r", pcap, "-n", carrier);
            // Inner addresses must never appear on the wire, and nothing but UDP 4500 may carry
            // data (neighbour discovery and MLD aside).
            string inner = Shell.Must("tcpdump", "-r", pcap, "-n", "net 10.0.0.0/8 or net 2001:db8:1::/48 or net 2001:db8:2::/48");
            string plain = Shell.Must("tcpdump", "-r", pcap, "-n", $"(ip and not {carrier}) or (ip6 and not icmp6 and not ip6 multicast and not {carrier}) or icmp");
            string fields = Shell.Must("tshark", "-r", pcap, "-Y", "esp", "-T", "fields", "-e", "esp.spi");
            output.WriteLine($"{Lines(esp)} packets matching {carrier}, {Lines(fields)} decoded as ESP; inner-addressed: {Lines(inner)}; other: {plain}");
            Assert.True(Lines(esp) >= 12, $"expected ESP ({carrier}) on the wire");
            Assert.True(Lines(fields) >= 12, "tshark did not see ESP");
            Assert.Equal(0, Lines(inner));
            Assert.Equal(0, Lines(plain));
        }
        finally
        {
            if (capture is { HasExited: false })
                capture.Kill();
            capture?.Dispose();
            a?.Dispose();
            b?.Dispose();
            Cleanup();
            File.Delete(pcap);
        }
    }

    /// <summary>
    /// A policy for 0.0.0.0/0 (as a road warrior or route-based setup has) must not replace the
    /// default route nor capture the packets to the peer itself.
    /// </summary>
    [RootFact]
    public void Default_route_policy_tunnels_traffic_but_keeps_the_peer_and_default_route()
    {
        Cleanup();
        Site? a = null, b = null;
        try
        {
            CreateNamespaces("198.18.0.1", "198.18.0.2", 24);
            Shell.Must("ip", "-n", NsA, "route", "add", "default", "via", "198.18.0.2");
            var key = RandomNumberGenerator.GetBytes(20);
            var key2 = RandomNumberGenerator.GetBytes(20);
            a = StartSite(NsA, "198.18.0.1", "198.18.0.2", ["10.1.0.0/24"], ["0.0.0.0/0"], SpiAToB, SpiBToA, key, key2, udp: true);
            b = StartSite(NsB, "198.18.0.2", "198.18.0.1", ["0.0.0.0/0"], ["10.1.0.0/24"], SpiBToA, SpiAToB, key2, key, udp: true);
            string routes = Shell.Must("ip", "-n", NsA, "route");
            output.WriteLine(routes);
            Assert.Contains("default via 198.18.0.2 dev dpa-eth0", routes);
            Assert.Contains("0.0.0.0/1 dev dptun0 scope link src 10.1.0.1", routes);
            Assert.Contains("128.0.0.0/1 dev dptun0 scope link src 10.1.0.1", routes);
            // The peer keeps its path outside the tunnel (a host route, resolved before ours went in).
            Assert.Contains(routes.Split('\n'), l => l.StartsWith("198.18.0.2 dev dpa-eth0", StringComparison.Ordinal));

            var (code, ping) = Shell.Run("ip", "netns", "exec", NsA, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-I", "10.1.0.1", "10.2.0.1");
            output.WriteLine(ping);
            Assert.True(code == 0, ping);
            Assert.True(a.Kernel.TryGetCounters(SpiAToB, SaDirection.Outbound, out var c) && c.Packets >= 2);

            a.Dispose();
            a = null;
            routes = Shell.Must("ip", "-n", NsA, "route");
            output.WriteLine(routes);
            Assert.Contains("default via 198.18.0.2 dev dpa-eth0", routes);
            Assert.DoesNotContain(routes.Split('\n'), l => l.StartsWith("198.18.0.2 ", StringComparison.Ordinal));
            Assert.DoesNotContain("0.0.0.0/1", routes);
        }
        finally
        {
            a?.Dispose();
            b?.Dispose();
            Cleanup();
        }
    }

    private static void CreateNamespaces(string outerA, string outerB, int outerPrefix)
    {
        Shell.Must("ip", "netns", "add", NsA);
        Shell.Must("ip", "netns", "add", NsB);
        Shell.Must("ip", "link", "add", "dpa-eth0", "netns", NsA, "type", "veth", "peer", "name", "dpb-eth0", "netns", NsB);
        foreach (var (ns, dev, addr, lan, lan6) in new[]
        {
            (NsA, "dpa-eth0", $"{outerA}/{outerPrefix}", "10.1.0.1/32", "2001:db8:1::1/128"),
            (NsB, "dpb-eth0", $"{outerB}/{outerPrefix}", "10.2.0.1/32", "2001:db8:2::1/128"),
        })
        {
            Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
            Shell.Must("ip", "-n", ns, "addr", "add", addr, "dev", dev, "nodad");
            Shell.Must("ip", "-n", ns, "link", "set", dev, "up");
            Shell.Must("ip", "-n", ns, "addr", "add", lan, "dev", "lo");
            Shell.Must("ip", "-n", ns, "addr", "add", lan6, "dev", "lo");
        }
    }

    private static Site StartSite(string ns, string me, string peer, string[] localTs, string[] remoteTs, uint outSpi, uint inSpi, byte[] outKey, byte[] inKey, bool udp)
    {
        var thread = new NamespaceThread(ns);
        try
        {
            var host = thread.Run(() =>
            {
                var tun = TunDevice.Open("dptun0");
                tun.Configure(TunDevice.DefaultMtu);
                var sockets = new UdpTransport(ikePort: 0, natTPort: 4500, rawEsp: !udp);
                var kernel = new UserspaceKernel(sockets, tun, new RouteManager(tun.Name), TestAlgorithmProvider.Instance);
                return new DataPlaneHost(tun, sockets, kernel, onIke: null);
            });
            var local = new IPEndPoint(IPAddress.Parse(me), 4500);
            var remote = new IPEndPoint(IPAddress.Parse(peer), 4500);
            thread.Run(() =>
            {
                var k = host.Kernel;
                k.InstallSa(new SaSpec
                {
                    Spi = outSpi, Direction = SaDirection.Outbound, Source = local, Destination = remote, UdpEncapsulation = udp,
                    Encryption = TestTransforms.AesGcm16(128), EncryptionKey = (byte[])outKey.Clone(), ReqId = 1,
                });
                k.InstallSa(new SaSpec
                {
                    Spi = inSpi, Direction = SaDirection.Inbound, Source = remote, Destination = local, UdpEncapsulation = udp,
                    Encryption = TestTransforms.AesGcm16(128), EncryptionKey = (byte[])inKey.Clone(), ReqId = 1,
                });
                k.InstallPolicy(new PolicySpec
                {
                    ReqId = 1, LocalTs = [.. localTs.Select(TrafficSelector.Parse)], RemoteTs = [.. remoteTs.Select(TrafficSelector.Parse)],
                    LocalAddress = local.Address, RemoteAddress = remote.Address,
                });
                host.Start();
            });
            return new Site(thread, host);
        }
        catch
        {
            thread.Dispose();
            throw;
        }
    }

    private static int Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    private static void WaitForFile(string path)
    {
        var sw = Stopwatch.StartNew();
        while (!File.Exists(path) && sw.ElapsedMilliseconds < 5000)
            Thread.Sleep(50);
        Thread.Sleep(300); // tcpdump opens the file before the capture is live
    }

    private static void Cleanup()
    {
        Shell.Run("ip", "netns", "del", NsA);
        Shell.Run("ip", "netns", "del", NsB);
    }
}
