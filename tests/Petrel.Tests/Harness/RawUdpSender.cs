using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Petrel.Tests.Harness;

/// <summary>
/// Sends hand-made IPv4/UDP datagrams with any source address and port from inside a namespace
/// (a raw IPPROTO_RAW socket, so the header is ours): lets a test inject packets that look as if
/// the real peer sent them from its IKE/NAT-T port, which a daemon's own socket cannot share.
/// </summary>
public sealed class RawUdpSender : IDisposable
{
    private readonly Socket _socket;

    public RawUdpSender(string netns)
    {
        _socket = NamespaceSocket.Create(netns, AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
    }

    public void Send(IPAddress source, int sourcePort, IPAddress destination, int destinationPort, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[20 + 8 + payload.Length];
        var ip = packet.AsSpan();
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF
        ip[8] = 64;
        ip[9] = 17;
        source.TryWriteBytes(ip[12..16], out _);
        destination.TryWriteBytes(ip[16..20], out _);
        // With IPPROTO_RAW the kernel fills in the IP checksum; a zero UDP checksum means
        // "none" for IPv4 (RFC 768), which RFC 3948 §2.1 allows for ESP-in-UDP.
        var udp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(udp[8..]);
        _socket.SendTo(packet, new IPEndPoint(destination, 0));
    }

    public void Dispose() => _socket.Dispose();
}
