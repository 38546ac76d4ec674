using System.Net;
using System.Net.Sockets;
using Petrel.Ike.Radius;

namespace Petrel.Daemon;

/// <summary>A UDP socket connected to one RADIUS server port: the kernel drops datagrams from anyone else.</summary>
public sealed class UdpRadiusTransport : IRadiusTransport
{
    private readonly Socket _socket;

    public UdpRadiusTransport(IPEndPoint server)
    {
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Connect(server);
    }

    public static readonly RadiusTransportFactory Factory = server => new UdpRadiusTransport(server);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken) =>
        await _socket.SendAsync(datagram, SocketFlags.None, cancellationToken).ConfigureAwait(false);

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public void Dispose() => _socket.Dispose();
}
