using System.Buffers.Binary;
using System.Net.Sockets;
using Petrel.Vici;

namespace Petrel.Tests.Vici;

/// <summary>A vici client written from the protocol description, for sending what swanctl never would.</summary>
public sealed class ViciTestClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public ViciTestClient(string path) => _socket.Connect(new UnixDomainSocketEndPoint(path));

    public void SendRaw(byte[] bytes) => _socket.Send(bytes);

    public void Send(ViciPacketType type, string? name, byte[] message) => SendRaw(ViciPacket.Encode(type, name, message));

    /// <summary>The next packet, or null when the server closed the connection (or nothing came within the timeout).</summary>
    public ViciPacket? Receive(TimeSpan? timeout = null)
    {
        _socket.ReceiveTimeout = (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        var header = new byte[4];
        try
        {
            if (!ReadExactly(header)) return null;
            var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
            if (!ReadExactly(body)) return null;
            return ViciPacket.TryParse(body, out var packet, out _) ? packet : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Sends a command and returns its response, with the events that came before it.</summary>
    public (ViciPacket? Response, List<ViciPacket> Events) Request(string command, byte[]? message = null)
    {
        Send(ViciPacketType.CmdRequest, command, message ?? []);
        var events = new List<ViciPacket>();
        while (Receive() is { } p)
        {
            if (p.Type == ViciPacketType.Event) events.Add(p);
            else return (p, events);
        }
        return (null, events);
    }

    private bool ReadExactly(byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = _socket.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public void Dispose() => _socket.Dispose();
}
