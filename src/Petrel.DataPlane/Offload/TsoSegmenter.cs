using System.Buffers.Binary;

namespace Petrel.DataPlane.Offload;

/// <summary>
/// Splits a TCP "super-segment" that a TUN device with TSO offload hands over (up to 64 KB, with
/// a <see cref="VirtioNetHeader"/> asking for segmentation) into wire-sized TCP segments, as a
/// NIC would (RFC 9293 §3.7.1 sizes, RFC 7414 behaviour of TSO): every segment gets a copy of the
/// IP and TCP headers, its own sequence number, IPv4 length/ID/header checksum or IPv6 payload
/// length, FIN and PSH only on the last segment, CWR only on the first, and a full TCP checksum.
/// A UDP GSO packet (GSO_UDP_L4, from a device with USO) is cut the same way into datagrams with
/// their own UDP length and checksum. Also completes the partial checksum of a single packet marked NEEDS_CSUM. Never allocates;
/// bad headers are reported, never thrown.
/// </summary>
public static class TsoSegmenter
{
    private const byte ProtoTcp = 6;
    private const byte ProtoUdp = 17;
    private const byte TcpFin = 0x01;
    private const byte TcpPsh = 0x08;
    private const byte TcpCwr = 0x80;

    /// <summary>
    /// Checks a GSO packet and returns how many segments it becomes (0 when the header does not
    /// describe a TCP packet this code can segment). headerLength is IP + TCP headers.
    /// </summary>
    public static int SegmentCount(ReadOnlySpan<byte> packet, in VirtioNetHeader h, out int headerLength)
    {
        headerLength = 0;
        byte type = (byte)(h.GsoType & ~VirtioNetHeader.GsoEcn);
        if (packet.Length < 40 || h.GsoSize == 0)
            return 0;
        int version = packet[0] >> 4;
        int l4 = h.ChecksumStart;
        if (type == VirtioNetHeader.GsoTcpV4)
        {
            int ihl = (packet[0] & 0x0F) * 4;
            if (version != 4 || ihl < 20 || l4 != ihl || packet[9] != ProtoTcp)
                return 0;
        }
        else if (type == VirtioNetHeader.GsoTcpV6)
        {
            if (version != 6 || l4 < 40)
                return 0;
        }
        else if (type == VirtioNetHeader.GsoUdpL4)
        {
            // UDP GSO (Linux USO): a header copy per datagram, each up to GsoSize payload bytes.
            int ihl = (packet[0] & 0x0F) * 4;
            if (version == 4 ? ihl < 20 || l4 != ihl || packet[9] != ProtoUdp : version != 6 || l4 < 40 || (l4 == 40 && packet[6] != ProtoUdp))
                return 0;
            if (l4 + 8 >= packet.Length)
                return 0;
            headerLength = l4 + 8;
            return (packet.Length - headerLength + h.GsoSize - 1) / h.GsoSize;
        }
        else
        {
            return 0;
        }
        if (l4 + 20 > packet.Length)
            return 0;
        int tcpHeader = (packet[l4 + 12] >> 4) * 4;
        if (tcpHeader < 20 || l4 + tcpHeader > packet.Length)
            return 0;
        headerLength = l4 + tcpHeader;
        int payload = packet.Length - headerLength;
        if (payload <= 0)
            return 0;
        return (payload + h.GsoSize - 1) / h.GsoSize;
    }

    /// <summary>
    /// Writes segment index of the GSO packet into destination and returns its length (0 if it
    /// does not fit). Call <see cref="SegmentCount"/> first; headerLength is what it returned.
    /// </summary>
    public static int WriteSegment(ReadOnlySpan<byte> packet, in VirtioNetHeader h, int headerLength, int index, int count, Span<byte> destination)
    {
        int mss = h.GsoSize;
        int start = headerLength + index * mss;
        int chunk = Math.Min(mss, packet.Length - start);
        int length = headerLength + chunk;
        if (chunk <= 0 || length > destination.Length)
            return 0;
        packet[..headerLength].CopyTo(destination);
        packet.Slice(start, chunk).CopyTo(destination[headerLength..]);
        var seg = destination[..length];
        int l4 = h.ChecksumStart;

        if (seg[0] >> 4 == 4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(seg[2..], (ushort)length);
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(seg[4..]);
            BinaryPrimitives.WriteUInt16BigEndian(seg[4..], (ushort)(id + index));
            InternetChecksum.SetIpv4HeaderChecksum(seg[..l4]);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(seg[4..], (ushort)(length - 40));
        }

        if ((h.GsoType & ~VirtioNetHeader.GsoEcn) == VirtioNetHeader.GsoUdpL4)
        {
            var udp = seg[l4..];
            BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
            udp[6] = 0;
            udp[7] = 0;
            ushort check = InternetChecksum.Finish(InternetChecksum.Add(InternetChecksum.PseudoHeader(seg, ProtoUdp, udp.Length), udp));
            // RFC 768: a computed checksum of zero is sent as all ones.
            BinaryPrimitives.WriteUInt16BigEndian(udp[6..], check == 0 ? (ushort)0xFFFF : check);
            return length;
        }
        var tcp = seg[l4..];
        uint seq = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq + (uint)(index * mss));
        if (index != count - 1)
            tcp[13] &= unchecked((byte)~(TcpFin | TcpPsh));
        if (index != 0)
            tcp[13] &= unchecked((byte)~TcpCwr);
        tcp[16] = 0;
        tcp[17] = 0;
        ulong sum = InternetChecksum.PseudoHeader(seg, ProtoTcp, tcp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], InternetChecksum.Finish(InternetChecksum.Add(sum, tcp)));
        return length;
    }

    /// <summary>
    /// Completes a checksum the kernel left partial (NEEDS_CSUM: the field at ChecksumStart +
    /// ChecksumOffset holds the pseudo-header sum; the rest is summed from ChecksumStart to the
    /// end, RFC 1071). False when the offsets lie outside the packet.
    /// </summary>
    public static bool CompleteChecksum(Span<byte> packet, in VirtioNetHeader h)
    {
        if ((h.Flags & VirtioNetHeader.FlagNeedsChecksum) == 0)
            return true;
        int start = h.ChecksumStart;
        int field = start + h.ChecksumOffset;
        if (start >= packet.Length || field + 2 > packet.Length)
            return false;
        ushort value = InternetChecksum.Finish(InternetChecksum.Add(0, packet[start..]));
        // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none").
        if (value == 0 && h.ChecksumOffset == 6)
            value = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(packet[field..], value);
        return true;
    }
}
