using System.Buffers.Binary;
using System.Net;

namespace Petrel.DataPlane.Tests.Packets;

/// <summary>Builds inner IP packets byte by byte from the RFC 791 / RFC 8200 / RFC 768 / RFC 792 layouts.</summary>
internal static class TestPackets
{
    public static byte[] Ipv4Icmp(string src, string dst, int payloadLength = 56, ushort id = 1, ushort seq = 1)
    {
        var icmp = new byte[8 + payloadLength];
        icmp[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), seq);
        for (int i = 0; i < payloadLength; i++)
            icmp[8 + i] = (byte)i;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Checksum(icmp));
        return Ipv4(src, dst, 1, icmp);
    }

    public static byte[] Ipv4Udp(string src, string dst, ushort sport, ushort dport, int payloadLength = 32)
    {
        var udp = new byte[8 + payloadLength];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        for (int i = 0; i < payloadLength; i++)
            udp[8 + i] = (byte)(0xA0 + i);
        return Ipv4(src, dst, 17, udp);
    }

    public static byte[] Ipv4(string src, string dst, byte protocol, byte[] payload)
    {
        var p = new byte[20 + payload.Length];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 0x1234);
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = protocol;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(p, 12);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(p, 16);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), Checksum(p.AsSpan(0, 20)));
        payload.CopyTo(p, 20);
        return p;
    }

    public static byte[] Ipv6Udp(string src, string dst, ushort sport, ushort dport, int payloadLength = 40)
    {
        var udp = new byte[8 + payloadLength];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        for (int i = 0; i < payloadLength; i++)
            udp[8 + i] = (byte)(0x60 + i);
        return Ipv6(src, dst, 17, udp);
    }

    public static byte[] Ipv6Icmp(string src, string dst, int payloadLength = 56)
    {
        var icmp = new byte[8 + payloadLength];
        icmp[0] = 128; // echo request (RFC 4443 §4.1)
        for (int i = 0; i < payloadLength; i++)
            icmp[8 + i] = (byte)i;
        return Ipv6(src, dst, 58, icmp);
    }

    public static byte[] Ipv6(string src, string dst, byte nextHeader, byte[] payload)
    {
        var p = new byte[40 + payload.Length];
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)payload.Length);
        p[6] = nextHeader;
        p[7] = 64;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(p, 8);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(p, 24);
        payload.CopyTo(p, 40);
        return p;
    }

    /// <summary>RFC 1071 Internet checksum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
            sum += (uint)(data[i] << 8 | data[i + 1]);
        if ((data.Length & 1) != 0)
            sum += (uint)data[^1] << 8;
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
