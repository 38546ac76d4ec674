using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Esp;
using Petrel.Platform.Net;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>Real sockets on loopback, unprivileged ports: no root needed.</summary>
public class UdpTransportTests
{
    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static (int Length, UdpAddress Source, UdpAddress Destination) ReceiveOne(UdpEndpoint endpoint, byte[] buffer)
    {
        for (int i = 0; i < 50; i++)
        {
            int n = endpoint.Receive(buffer, 100, out var source, out var destination);
            if (n > 0)
                return (n, source, destination);
        }
        throw new TimeoutException("no datagram");
    }

    [Fact]
    public void Socket_bound_to_any_reports_the_local_address_each_datagram_was_sent_to()
    {
        using var endpoint = new UdpEndpoint(new IPEndPoint(IPAddress.Any, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var buffer = new byte[2048];
        foreach (var target in new[] { "127.0.0.1", "127.0.0.2" })
        {
            sender.SendTo(new byte[] { 1, 2, 3 }, new IPEndPoint(IPAddress.Parse(target), endpoint.Port));
            var (n, source, destination) = ReceiveOne(endpoint, buffer);
            Assert.Equal(3, n);
            Assert.Equal(new IPEndPoint(IPAddress.Parse(target), endpoint.Port), destination.ToIPEndPoint());
            Assert.Equal(sender.LocalEndPoint, source.ToIPEndPoint());
        }
    }

    [Fact]
    public void Ipv6_socket_reports_source_and_destination()
    {
        if (!Socket.OSSupportsIPv6)
            return;
        using var endpoint = new UdpEndpoint(new IPEndPoint(IPAddress.IPv6Any, 0));
        using var sender = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        sender.SendTo(new byte[] { 9 }, new IPEndPoint(IPAddress.IPv6Loopback, endpoint.Port));
        var (n, source, destination) = ReceiveOne(endpoint, new byte[64]);
        Assert.Equal(1, n);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, endpoint.Port), destination.ToIPEndPoint());
        Assert.Equal(sender.LocalEndPoint, source.ToIPEndPoint());
    }

    [Fact]
    public void Receive_times_out_with_zero_and_returns_minus_one_after_dispose()
    {
        var endpoint = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.Equal(0, endpoint.Receive(new byte[16], 10, out _, out _));
        endpoint.Dispose();
        Assert.Equal(-1, endpoint.Receive(new byte[16], 10, out _, out _));
    }

    [Fact]
    public void Ike_from_the_nat_t_port_carries_the_non_esp_marker_and_esp_and_keepalives_do_not()
    {
        int natT = FreePort(), ike = FreePort();
        using var a = new UdpTransport(ikePort: ike, natTPort: natT, addresses: [IPAddress.Loopback]);
        using var peer = new UdpEndpoint(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        var buffer = new byte[2048];
        var local4500 = new IPEndPoint(IPAddress.Loopback, natT);
        var local500 = new IPEndPoint(IPAddress.Loopback, ike);
        var remote = peer.LocalEndPoint;

        Assert.True(a.SendIke(local4500, remote, [0xAA, 0xBB]));
        var (n, source, _) = ReceiveOne(peer, buffer);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0xAA, 0xBB }, buffer[..n]);
        Assert.Equal(local4500, source.ToIPEndPoint());

        Assert.True(a.SendIke(local500, remote, [0xAA, 0xBB]));
        (n, source, _) = ReceiveOne(peer, buffer);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, buffer[..n]);
        Assert.Equal(local500, source.ToIPEndPoint());

        Assert.True(a.SendNatKeepalive(local4500, remote));
        (n, _, _) = ReceiveOne(peer, buffer);
        Assert.Equal(new byte[] { 0xFF }, buffer[..n]);

        var espPeer = new EspPeer(local4500, remote, udpEncapsulation: true);
        Assert.True(a.SendEsp(espPeer, [0xC0, 0xDE, 0, 1, 0, 0, 0, 1]));
        Assert.True(a.SendEsp(espPeer, [0xC0, 0xDE, 0, 1, 0, 0, 0, 2])); // second send uses the cached route
        (n, source, _) = ReceiveOne(peer, buffer);
        Assert.Equal(new byte[] { 0xC0, 0xDE, 0, 1, 0, 0, 0, 1 }, buffer[..n]);
        Assert.Equal(local4500, source.ToIPEndPoint());
        (n, _, _) = ReceiveOne(peer, buffer);
        Assert.Equal(2, buffer[n - 1]);

        // Raw ESP (protocol 50) is not implemented: refused, not thrown.
        Assert.False(a.SendEsp(new EspPeer(local4500, remote, udpEncapsulation: false), [1, 2, 3, 4, 5, 6, 7, 8]));
        // No socket for that local address.
        Assert.False(a.SendIke(new IPEndPoint(IPAddress.Parse("127.0.0.9"), natT), remote, [1]));
    }
}
