using System.Buffers.Binary;

namespace Petrel.DataPlane.Pipeline;

/// <summary>RFC 3948 demultiplexing of the NAT-T port and the non-ESP marker.</summary>
public static class UdpEncapsulation
{
    public const int NonEspMarkerLength = 4;

    public static UdpDatagramKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length == 1)
            return datagram[0] == 0xFF ? UdpDatagramKind.NatKeepalive : UdpDatagramKind.Invalid;
        if (datagram.Length < NonEspMarkerLength)
            return UdpDatagramKind.Invalid;
        // RFC 3948 §2.2: SPI 0 cannot occur in ESP, so four zero bytes mark a non-ESP (IKE) message.
        if (BinaryPrimitives.ReadUInt32BigEndian(datagram) == 0)
            return datagram.Length > NonEspMarkerLength ? UdpDatagramKind.Ike : UdpDatagramKind.Invalid;
        // An ESP header is 8 bytes; shorter ones are counted as truncated by the ESP path.
        return UdpDatagramKind.Esp;
    }
}
