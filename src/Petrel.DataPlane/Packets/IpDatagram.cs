using System.Buffers.Binary;

namespace Petrel.DataPlane.Packets;

/// <summary>Header fields of an IPv4 or IPv6 packet the MTU and TFC code needs; callers have validated it with <see cref="IpPacketReader"/>.</summary>
public static class IpDatagram
{
    /// <summary>Length the IP header claims (IPv4 Total Length, IPv6 40 + Payload Length), or 0 if unreadable.</summary>
    public static int TotalLength(ReadOnlySpan<byte> packet)
    {
        switch (IpPacketReader.Version(packet))
        {
            case 4 when packet.Length >= 20:
                return BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
            case 6 when packet.Length >= 40:
                return 40 + BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
            default:
                return 0;
        }
    }

    /// <summary>
    /// Sets the length <see cref="TotalLength"/> reads: IPv4 Total Length with the header checksum recomputed over
    /// <paramref name="ipHeaderLength"/> bytes, or IPv6 Payload Length (no extension headers).
    /// </summary>
    public static void SetTotalLength(Span<byte> packet, int ipHeaderLength, int total)
    {
        if (packet[0] >> 4 == 4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)total);
            Offload.InternetChecksum.SetIpv4HeaderChecksum(packet[..ipHeaderLength]);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(total - 40));
        }
    }

    /// <summary>IPv4 Don't Fragment (RFC 791). IPv6 routers never fragment (RFC 8200 §5), so it is always set for IPv6.</summary>
    public static bool DontFragment(ReadOnlySpan<byte> packet) =>
        IpPacketReader.Version(packet) == 6 || (packet.Length >= 20 && (packet[6] & 0x40) != 0);
}
