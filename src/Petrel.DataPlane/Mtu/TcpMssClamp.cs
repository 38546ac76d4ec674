using System.Buffers.Binary;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Mtu;

/// <summary>
/// TCP MSS clamping: lowers the Maximum Segment Size option (RFC 9293 §3.7.1, kind 2) of SYN and
/// SYN-ACK segments crossing the tunnel so that neither end sends segments the SA's path cannot
/// carry, and patches the TCP checksum incrementally (RFC 1624) instead of summing the segment.
/// Works in place on the inner IP packet; anything it cannot parse is left untouched.
/// </summary>
public static class TcpMssClamp
{
    private const byte ProtoTcp = 6;
    private const byte FlagSyn = 0x02;
    private const int TcpHeader = 20;

    /// <summary>The MSS that fits maxPacket for this IP version (IPv4 header 20, IPv6 40, TCP 20; RFC 879, RFC 8200 §8.3).</summary>
    public static int MssFor(int maxPacket, int ipVersion) => maxPacket - (ipVersion == 6 ? 40 : 20) - TcpHeader;

    /// <summary>
    /// If packet is a TCP SYN (with or without ACK) whose MSS option exceeds maxMss, rewrites the
    /// option to maxMss and fixes the checksum. Returns true if it changed the packet.
    /// </summary>
    public static bool Clamp(Span<byte> packet, int maxMss)
    {
        if (maxMss <= 0 || maxMss > 65535)
            return false;
        int l4;
        switch (IpPacketReader.Version(packet))
        {
            case 4:
                if (packet.Length < 20 || packet[9] != ProtoTcp)
                    return false;
                // Only the first fragment carries the TCP header; with More Fragments set it may be cut.
                if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
                    return false;
                l4 = (packet[0] & 0x0F) * 4;
                break;
            case 6:
                // Extension headers before TCP are rare on SYNs; those packets are left alone.
                if (packet.Length < 40 || packet[6] != ProtoTcp)
                    return false;
                l4 = 40;
                break;
            default:
                return false;
        }
        int total = Math.Min(IpDatagram.TotalLength(packet), packet.Length);
        if (l4 < 20 || total < l4 + TcpHeader)
            return false;
        var tcp = packet[l4..total];
        if ((tcp[13] & FlagSyn) == 0)
            return false;
        int dataOffset = (tcp[12] >> 4) * 4;
        if (dataOffset < TcpHeader || dataOffset > tcp.Length)
            return false;

        var options = tcp[TcpHeader..dataOffset];
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == 0)
                break; // End of Option List
            if (kind == 1)
            {
                i++; // No-Operation
                continue;
            }
            if (i + 1 >= options.Length)
                return false;
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
                return false;
            if (kind == 2 && length == 4)
            {
                // The MSS value starts at an even offset only if the option is word-aligned;
                // RFC 1624 works on the 16-bit words as summed, so handle both alignments.
                int at = TcpHeader + i + 2;
                ushort mss = BinaryPrimitives.ReadUInt16BigEndian(tcp[at..]);
                if (mss <= maxMss)
                    return false;
                UpdateChecksum(tcp, at, (ushort)maxMss);
                return true;
            }
            i += length;
        }
        return false;
    }

    private static void UpdateChecksum(Span<byte> tcp, int at, ushort newMss)
    {
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]);
        if ((at & 1) == 0)
        {
            ushort old = BinaryPrimitives.ReadUInt16BigEndian(tcp[at..]);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[at..], newMss);
            checksum = InternetChecksum.Update(checksum, old, newMss);
        }
        else
        {
            // The value straddles two summed words: update each of them.
            int w0 = at - 1, w1 = at + 1;
            ushort old0 = BinaryPrimitives.ReadUInt16BigEndian(tcp[w0..]);
            ushort old1 = BinaryPrimitives.ReadUInt16BigEndian(tcp[w1..]);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[at..], newMss);
            checksum = InternetChecksum.Update(checksum, old0, BinaryPrimitives.ReadUInt16BigEndian(tcp[w0..]));
            checksum = InternetChecksum.Update(checksum, old1, BinaryPrimitives.ReadUInt16BigEndian(tcp[w1..]));
        }
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], checksum);
    }
}
