using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Ah;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// The IP-header side of ESP transport mode (RFC 4303 §3.1.1): outbound, the host's own packet
/// is split into its IP header (which the outer socket rebuilds, since the ESP packet leaves
/// between the same two hosts) and the upper-layer payload ESP protects; inbound, an IP header
/// from the SA's addresses is written back in front of the decrypted payload so the host's
/// stack gets the packet the peer sent. Pure span functions: no allocation, no exceptions.
/// </summary>
internal static class EspTransportMode
{
    public const int Ipv4HeaderLength = 20;
    public const int Ipv6HeaderLength = 40;
    private const byte DefaultTtl = 64;

    /// <summary>
    /// Finds the upper-layer payload of an outbound IPv4/IPv6 packet. headerLength is what ESP
    /// goes behind, nextHeader the protocol ESP's trailer carries. IPv6 extension headers that
    /// must precede ESP (hop-by-hop, RFC 8200 §4.1) cannot be kept by a socket-built outer header,
    /// so such packets are refused; destination options and routing headers travel inside ESP,
    /// where RFC 4303 §3.1.1 allows destination options.
    /// </summary>
    public static DropReason Split(ReadOnlySpan<byte> packet, out int headerLength, out byte nextHeader)
    {
        headerLength = 0;
        nextHeader = 0;
        if (packet.Length < Ipv4HeaderLength)
            return DropReason.Malformed;
        int version = packet[0] >> 4;
        if (version == 4)
        {
            int ihl = (packet[0] & 0x0F) * 4;
            if (ihl < Ipv4HeaderLength || ihl > packet.Length)
                return DropReason.Malformed;
            // A fragment's payload is not a whole upper-layer message; ESP here protects whole
            // packets (RFC 4303 §3.3.4: fragmentation happens after ESP processing).
            if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
                return DropReason.Malformed;
            headerLength = ihl;
            nextHeader = packet[9];
            return DropReason.None;
        }
        if (version != 6 || packet.Length < Ipv6HeaderLength)
            return DropReason.Malformed;
        if (packet[6] == AhHeaderChain.HopByHop)
            return DropReason.Malformed;
        headerLength = Ipv6HeaderLength;
        nextHeader = packet[6];
        return DropReason.None;
    }

    /// <summary>Length of the IP header <see cref="Rebuild"/> writes for an SA of this family.</summary>
    public static int HeaderLength(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? Ipv6HeaderLength : Ipv4HeaderLength;

    /// <summary>
    /// Writes an IPv4 or IPv6 header (source → destination, protocol/next header next) into
    /// header, for a payload of payloadLength bytes that follows it. False if the addresses do
    /// not fit the header's family or the packet would exceed the IP length field.
    /// </summary>
    public static bool Rebuild(Span<byte> header, IPAddress source, IPAddress destination, byte next, int payloadLength)
    {
        if (source.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (header.Length < Ipv6HeaderLength || payloadLength > 65535)
                return false;
            header[0] = 0x60;
            header[1] = 0;
            header[2] = 0;
            header[3] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)payloadLength);
            header[6] = next;
            header[7] = DefaultTtl;
            return source.TryWriteBytes(header.Slice(8, 16), out _) && destination.TryWriteBytes(header.Slice(24, 16), out _);
        }
        if (header.Length < Ipv4HeaderLength || payloadLength + Ipv4HeaderLength > 65535)
            return false;
        header[0] = 0x45;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(payloadLength + Ipv4HeaderLength));
        header[4] = 0;
        header[5] = 0;
        header[6] = 0x40;                  // DF: the payload arrived whole, it need not be split again
        header[7] = 0;
        header[8] = DefaultTtl;
        header[9] = next;
        header[10] = 0;
        header[11] = 0;
        if (!source.TryWriteBytes(header.Slice(12, 4), out _) || !destination.TryWriteBytes(header.Slice(16, 4), out _))
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], AhHeaderChain.Ipv4Checksum(header[..Ipv4HeaderLength]));
        return true;
    }
}
