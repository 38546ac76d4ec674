using System.Buffers.Binary;

namespace Petrel.DataPlane.Ah;

/// <summary>
/// Finds the AH header in an IP packet and knows which header fields change in transit
/// (RFC 4302 §3.3.3.1). Pure functions over spans; nothing allocates or throws.
/// </summary>
internal static class AhHeaderChain
{
    public const byte ProtocolAh = 51;
    public const byte HopByHop = 0;
    public const byte Routing = 43;
    public const byte DestinationOptions = 60;

    /// <summary>
    /// Locates the AH header of an IPv4 (protocol 51) or IPv6 packet (after the fixed header and
    /// any hop-by-hop, routing or destination options headers, RFC 4302 §3.1). nextFieldOffset is
    /// where the "protocol"/"next header" value naming AH sits, which transport mode rewrites.
    /// </summary>
    public static bool TryLocate(ReadOnlySpan<byte> packet, out int ahOffset, out int nextFieldOffset)
    {
        ahOffset = 0;
        nextFieldOffset = 0;
        if (packet.Length < 20)
            return false;
        int version = packet[0] >> 4;
        if (version == 4)
        {
            int ihl = (packet[0] & 0x0F) * 4;
            if (ihl < 20 || packet.Length < ihl + 12 || packet[9] != ProtocolAh)
                return false;
            // Fragments cannot be authenticated until reassembled (RFC 4302 §3.4.1); we never reassemble.
            if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
                return false;
            ahOffset = ihl;
            nextFieldOffset = 9;
            return true;
        }
        if (version != 6 || packet.Length < 40 + 12)
            return false;
        byte next = packet[6];
        int field = 6;
        int offset = 40;
        while (next != ProtocolAh)
        {
            if (next != HopByHop && next != Routing && next != DestinationOptions)
                return false;
            if (packet.Length < offset + 8)
                return false;
            field = offset;
            next = packet[offset];
            offset += (packet[offset + 1] + 1) * 8;
        }
        if (packet.Length < offset + 12)
            return false;
        ahOffset = offset;
        nextFieldOffset = field;
        return true;
    }

    /// <summary>
    /// Zeroes, in header (the IP header and extension headers in front of AH), every field that
    /// may change in transit, so the ICV covers only immutable or predictable values
    /// (RFC 4302 §3.3.3.1.1 for IPv4, §3.3.3.1.2 for IPv6). The caller restores the bytes after.
    /// </summary>
    public static void ZeroMutable(Span<byte> header)
    {
        if (header[0] >> 4 == 4)
        {
            header[1] = 0;                 // Type of Service (DSCP/ECN)
            header[6] = 0;                 // Flags and
            header[7] = 0;                 //   Fragment Offset
            header[8] = 0;                 // Time to Live
            header[10] = 0;                // Header Checksum
            header[11] = 0;
            ZeroMutableIpv4Options(header[20..]);
            return;
        }
        header[0] &= 0xF0;                 // Traffic Class (4 bits here, 4 in the next byte)
        header[1] = 0;                     // Traffic Class / Flow Label
        header[2] = 0;
        header[3] = 0;
        header[7] = 0;                     // Hop Limit
        byte next = header[6];
        int offset = 40;
        while (offset + 2 <= header.Length)
        {
            int length = (header[offset + 1] + 1) * 8;
            if (offset + length > header.Length)
                return;
            if (next == HopByHop || next == DestinationOptions)
                ZeroMutableIpv6Options(header.Slice(offset + 2, length - 2));
            // A routing header's addresses are predictable at the receiver only with the type 0
            // rearrangement RFC 4302 §3.3.3.1.2.2 describes; type 0 is deprecated (RFC 5095) and
            // the others are covered as sent, which is what a receiver sees when no hop rewrote it.
            next = header[offset];
            offset += length;
        }
    }

    /// <summary>
    /// RFC 4302 Appendix A.1: the options End of List, No Operation, Security, Extended Security,
    /// Commercial Security, Router Alert and Sender Directed Multi-Destination Delivery are
    /// immutable; every other option is mutable and zeroed whole (type, length and data).
    /// </summary>
    private static void ZeroMutableIpv4Options(Span<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == 0)
                return;                    // End of Option List: the rest is padding
            if (type == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length)
                return;
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                options[i..].Clear();      // malformed: cover nothing of it rather than guess
                return;
            }
            bool immutable = type is 130 or 133 or 134 or 148 or 149;
            if (!immutable)
                options.Slice(i, length).Clear();
            i += length;
        }
    }

    /// <summary>
    /// RFC 8200 §4.2: the third-highest bit of an option type says the option data may change en
    /// route; such data is zeroed for the ICV (RFC 4302 §3.3.3.1.2.1), type and length kept.
    /// </summary>
    private static void ZeroMutableIpv6Options(Span<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == 0)
            {
                i++;                       // Pad1
                continue;
            }
            if (i + 1 >= options.Length)
                return;
            int length = options[i + 1];
            if (i + 2 + length > options.Length)
                return;
            if ((type & 0x20) != 0)
                options.Slice(i + 2, length).Clear();
            i += 2 + length;
        }
    }

    /// <summary>RFC 791 §3.1 header checksum over an IPv4 header whose checksum field is zero.</summary>
    public static ushort Ipv4Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
