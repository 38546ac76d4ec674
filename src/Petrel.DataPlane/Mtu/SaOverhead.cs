using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Mtu;

/// <summary>
/// How many bytes an SA adds to an inner packet, and so the largest inner packet that still fits
/// a path MTU without fragmenting the outer packet (RFC 4301 §8.2, RFC 4303 §2).
/// </summary>
public static class SaOverhead
{
    public const int Ipv4Header = 20;
    public const int Ipv6Header = 40;
    public const int UdpHeader = 8;          // RFC 3948 §2.1
    public const int EspHeader = 8;          // SPI + sequence number (RFC 4303 §2)
    public const int EspTrailer = 2;         // Pad Length + Next Header (RFC 4303 §2.4)
    public const int AhFixed = 12;           // Next Header .. Sequence Number (RFC 4302 §2)

    /// <summary>
    /// The largest inner packet (tunnel mode: the whole inner IP packet; transport: the IP packet
    /// before the header is inserted) whose protected form fits pathMtu. The ESP payload plus
    /// trailer is padded to the alignment, so the worst-case padding is accounted for.
    /// </summary>
    public static int MaxInnerLength(int pathMtu, bool ipv6Outer, bool udpEncapsulated, IpsecProtocol protocol, IpsecMode mode,
        int ivLength, int icvLength, int alignment)
    {
        int outer = mode == IpsecMode.Tunnel ? (ipv6Outer ? Ipv6Header : Ipv4Header) : 0;
        if (protocol == IpsecProtocol.Ah)
        {
            // RFC 4302 §3.3.3.2.1: the AH header is a multiple of 32 bits (IPv4) or 64 bits (IPv6).
            int align = ipv6Outer ? 8 : 4;
            int ah = (AhFixed + icvLength + align - 1) / align * align;
            return pathMtu - outer - ah;
        }
        int room = pathMtu - outer - (udpEncapsulated ? UdpHeader : 0) - EspHeader - ivLength - icvLength;
        alignment = Math.Max(alignment, 4);
        return room / alignment * alignment - EspTrailer;
    }
}
