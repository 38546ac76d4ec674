using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Tests.Offload;
using Petrel.Platform.Tun;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// The kernel side of <see cref="UdpCoalescer"/>, in a namespace of its own (vti-uso): a TUN device
/// opened with offload takes USO (Linux 6.2+), and one GSO_UDP_L4 write of six coalesced datagrams
/// reaches a UDP socket on the device's address as the six datagrams that were coalesced, byte for byte.
/// </summary>
[Collection("netns")]
public sealed class TunUdpGsoTests
{
    private const string Ns = "vti-uso";

    [RootFact]
    public void A_coalesced_udp_write_is_split_by_the_stack_into_the_original_datagrams()
    {
        Shell.Run("ip", "netns", "del", Ns);
        Shell.Must("ip", "netns", "add", Ns);
        using var thread = new NamespaceThread(Ns);
        try
        {
            using var tun = thread.Run(() => TunDevice.Open("uso0", offload: true));
            Assert.True(tun.AcceptsUdpGso, "TUNSETOFFLOAD refused USO4/USO6");
            Shell.Must("ip", "-n", Ns, "addr", "add", "10.2.0.1/24", "dev", "uso0");
            Shell.Must("ip", "-n", Ns, "link", "set", "uso0", "up");
            Shell.Must("ip", "-n", Ns, "route", "add", "10.1.0.0/24", "dev", "uso0");
            using var socket = thread.Run(() =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(new IPEndPoint(IPAddress.Parse("10.2.0.1"), 5201));
                s.ReceiveTimeout = 2000;
                return s;
            });

            var originals = Enumerable.Range(0, 6).Select(i => UdpCoalescerTests.Udp(false, i == 5 ? 300 : 1000, ipId: (ushort)(7 + i), payloadSeed: 10 + i)).ToArray();
            var buffer = new byte[8192];
            var coalescer = new UdpCoalescer(tun);
            int off = 64;
            foreach (var p in originals)
            {
                p.CopyTo(buffer, off);
                Assert.True(coalescer.Add(buffer, off, p.Length));
                off += p.Length + 32;
            }
            Assert.True(coalescer.Flush(), "the TUN device refused the GSO_UDP_L4 write");
            Assert.Equal(1, coalescer.GsoWrites);

            var received = new byte[2048];
            foreach (var p in originals)
            {
                int n = socket.Receive(received);
                Assert.Equal(p.AsSpan(28).ToArray(), received.AsSpan(0, n).ToArray());
            }
        }
        finally
        {
            Shell.Run("ip", "netns", "del", Ns);
        }
    }
}
