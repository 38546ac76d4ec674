using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Petrel.Platform.Net;

/// <summary>An IP address and port as plain numbers (IPv4 in the low 32 bits), so receive paths need not allocate.</summary>
public readonly record struct UdpAddress(AddressFamily Family, UInt128 Address, ushort Port)
{
    public IPEndPoint ToIPEndPoint()
    {
        if (Family == AddressFamily.InterNetwork)
            return new IPEndPoint(new IPAddress(BinaryPrimitives.ReverseEndianness((uint)Address)), Port);
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, Address);
        return new IPEndPoint(new IPAddress(b), Port);
    }

    public static UdpAddress From(IPEndPoint endPoint)
    {
        Span<byte> b = stackalloc byte[16];
        endPoint.Address.TryWriteBytes(b, out int n);
        UInt128 value = n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt128BigEndian(b);
        return new UdpAddress(endPoint.AddressFamily, value, (ushort)endPoint.Port);
    }

    public override string ToString() => ToIPEndPoint().ToString();
}
