using System.Buffers.Binary;
using System.Net.Sockets;

namespace Petrel.DataPlane.Packets;

/// <summary>Reads the selector fields of a raw IPv4 or IPv6 packet (as a TUN device delivers it) without allocating.</summary>
public static class IpPacketReader
{
    private const byte ProtoIcmp = 1;
    private const byte ProtoTcp = 6;
    private const byte ProtoUdp = 17;
    private const byte ProtoIcmpV6 = 58;
    private const byte ProtoSctp = 132;
    private const byte ProtoUdpLite = 136;

    /// <summary>The IP version nibble, or 0 for an empty packet.</summary>
    public static int Version(ReadOnlySpan<byte> packet) => packet.IsEmpty ? 0 : packet[0] >> 4;

    public static bool TryRead(ReadOnlySpan<byte> packet, out PacketFlow flow)
    {
        flow = default;
        switch (Version(packet))
        {
            case 4: return TryReadIpv4(packet, out flow);
            case 6: return TryReadIpv6(packet, out flow);
            default: return false;
        }
    }

    private static bool TryReadIpv4(ReadOnlySpan<byte> p, out PacketFlow flow)
    {
        flow = default;
        if (p.Length < 20)
            return false;
        int ihl = (p[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
        if (ihl < 20 || total < ihl || total > p.Length)
            return false;
        byte proto = p[9];
        uint src = BinaryPrimitives.ReadUInt32BigEndian(p[12..]);
        uint dst = BinaryPrimitives.ReadUInt32BigEndian(p[16..]);
        // Only the first fragment carries the upper-layer header (RFC 4301 §7).
        bool firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(p[6..]) & 0x1FFF) == 0;
        ushort sp = 0, dp = 0;
        bool known = firstFragment && TryReadPorts(proto, p[ihl..total], out sp, out dp);
        flow = new PacketFlow(AddressFamily.InterNetwork, src, dst, proto, sp, dp, known);
        return true;
    }

    private static bool TryReadIpv6(ReadOnlySpan<byte> p, out PacketFlow flow)
    {
        flow = default;
        if (p.Length < 40)
            return false;
        int total = 40 + BinaryPrimitives.ReadUInt16BigEndian(p[4..]);
        if (total > p.Length)
            return false;
        UInt128 src = BinaryPrimitives.ReadUInt128BigEndian(p[8..]);
        UInt128 dst = BinaryPrimitives.ReadUInt128BigEndian(p[24..]);
        byte next = p[6];
        int offset = 40;
        bool firstFragment = true;
        // Skip extension headers to the upper-layer protocol (RFC 8200 §4); a bounded walk.
        for (int hops = 0; hops < 8; hops++)
        {
            if (next is 0 or 43 or 60)
            {
                if (offset + 8 > total)
                    return false;
                int len = (p[offset + 1] + 1) * 8;
                next = p[offset];
                offset += len;
            }
            else if (next == 44)
            {
                if (offset + 8 > total)
                    return false;
                firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(p[(offset + 2)..]) & 0xFFF8) == 0;
                next = p[offset];
                offset += 8;
            }
            else
            {
                break;
            }
        }
        if (offset > total)
            return false;
        ushort sp = 0, dp = 0;
        bool known = firstFragment && TryReadPorts(next, p[offset..total], out sp, out dp);
        flow = new PacketFlow(AddressFamily.InterNetworkV6, src, dst, next, sp, dp, known);
        return true;
    }

    private static bool TryReadPorts(byte proto, ReadOnlySpan<byte> l4, out ushort sourcePort, out ushort destinationPort)
    {
        sourcePort = destinationPort = 0;
        switch (proto)
        {
            case ProtoTcp or ProtoUdp or ProtoSctp or ProtoUdpLite:
                if (l4.Length < 4)
                    return false;
                sourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                destinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                return true;
            case ProtoIcmp or ProtoIcmpV6:
                // RFC 4301 §4.4.1.3: ICMP type and code stand in for the local "port" selector; as
                // IKEv2 encodes them (RFC 7296 §3.13.1) type is the high byte, code the low byte.
                if (l4.Length < 2)
                    return false;
                sourcePort = (ushort)(l4[0] << 8 | l4[1]);
                destinationPort = sourcePort;
                return true;
            default:
                return false;
        }
    }
}
