using System.Buffers.Binary;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Mtu;

/// <summary>
/// Builds the ICMP error a gateway owes the sender of a packet too big for the SA's path
/// (RFC 4301 §8.2.1 / RFC 1191 §4 / RFC 8201 §4): ICMPv4 Destination Unreachable, Fragmentation
/// Needed and DF Set (type 3 code 4) with the next-hop MTU, or ICMPv6 Packet Too Big (type 2).
/// <para>
/// The error is written back into the tunnel device, so the host stack receives it on that
/// device: its source must be an address the host routes into the device (the reverse-path check)
/// and not one of the host's own (Linux drops a local source arriving from outside as a martian).
/// The original packet's destination satisfies both, for forwarded and for locally sent traffic;
/// receivers key the path MTU on the quoted packet (RFC 1191 §6.3, RFC 8201 §4), not on the source.
/// </para>
/// </summary>
public static class IcmpTooBigBuilder
{
    /// <summary>RFC 1812 §4.3.2.3: quote as much of the original as fits in a 576-byte error.</summary>
    public const int MaxIpv4Error = 576;

    /// <summary>RFC 4443 §2.4 (c): the error must not exceed the minimum IPv6 MTU.</summary>
    public const int MaxIpv6Error = 1280;

    /// <summary>RFC 8200 §5: every IPv6 link carries 1280 bytes; a Packet Too Big never reports less.</summary>
    public const int MinIpv6Mtu = 1280;

    /// <summary>RFC 791: every IPv4 host accepts 68 bytes unfragmented.</summary>
    public const int MinIpv4Mtu = 68;

    private const byte ProtoIcmp = 1;
    private const byte ProtoIcmpV6 = 58;
    private const byte DefaultTtl = 64;

    /// <summary>
    /// Writes the whole error IP packet for original into destination (≥ 1280 bytes) and returns
    /// its length, or 0 when no error may be sent (RFC 1122 §3.2.2, RFC 4443 §2.4 (e): not about an
    /// ICMP error, a non-first fragment, or a packet from an unspecified/multicast/broadcast source).
    /// </summary>
    public static int Write(ReadOnlySpan<byte> original, int mtu, Span<byte> destination) => IpPacketReader.Version(original) switch
    {
        4 => WriteFragmentationNeeded(original, mtu, destination),
        6 => WritePacketTooBig(original, mtu, destination),
        _ => 0,
    };

    public static int WriteFragmentationNeeded(ReadOnlySpan<byte> original, int mtu, Span<byte> destination)
    {
        if (original.Length < 20 || IpPacketReader.Version(original) != 4)
            return 0;
        int ihl = (original[0] & 0x0F) * 4;
        int total = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(original[2..]), original.Length);
        if (ihl < 20 || total < ihl)
            return 0;
        if ((BinaryPrimitives.ReadUInt16BigEndian(original[6..]) & 0x1FFF) != 0)
            return 0; // not the first fragment
        uint src = BinaryPrimitives.ReadUInt32BigEndian(original[12..]);
        uint dst = BinaryPrimitives.ReadUInt32BigEndian(original[16..]);
        if (src == 0 || src == uint.MaxValue || (src >> 28) == 0xE || (dst >> 28) == 0xE || dst == uint.MaxValue)
            return 0;
        if (original[9] == ProtoIcmp && total >= ihl + 1 && IsIcmpV4Error(original[ihl]))
            return 0;

        int quote = Math.Min(total, MaxIpv4Error - 20 - 8);
        int length = 20 + 8 + quote;
        if (destination.Length < length)
            return 0;
        var ip = destination[..20];
        ip[0] = 0x45;
        ip[1] = 0xC0; // RFC 1812 §4.3.2.5 / RFC 791: Internetwork Control precedence for ICMP errors
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)length);
        BinaryPrimitives.WriteUInt32BigEndian(ip[4..], 0); // identification, flags, fragment offset
        ip[8] = DefaultTtl;
        ip[9] = ProtoIcmp;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], dst);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], src);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));

        var icmp = destination.Slice(20, 8 + quote);
        icmp[0] = 3; // Destination Unreachable (RFC 792)
        icmp[1] = 4; // Fragmentation needed and DF set
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], 0); // unused (RFC 1191 §4)
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], (ushort)Math.Clamp(mtu, MinIpv4Mtu, 65535)); // Next-Hop MTU
        original[..quote].CopyTo(icmp[8..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
        return length;
    }

    public static int WritePacketTooBig(ReadOnlySpan<byte> original, int mtu, Span<byte> destination)
    {
        if (original.Length < 40 || IpPacketReader.Version(original) != 6)
            return 0;
        int total = Math.Min(40 + BinaryPrimitives.ReadUInt16BigEndian(original[4..]), original.Length);
        var src = original.Slice(8, 16);
        var dst = original.Slice(24, 16);
        if (src[0] == 0xFF || src.IndexOfAnyExcept((byte)0) < 0)
            return 0; // multicast or unspecified source: nobody to tell
        // RFC 4443 §2.4 (e.1): never about an ICMPv6 error message (types 0..127).
        if (original[6] == ProtoIcmpV6 && total > 40 && original[40] < 128)
            return 0;

        int quote = Math.Min(total, MaxIpv6Error - 40 - 8);
        int length = 40 + 8 + quote;
        if (destination.Length < length)
            return 0;
        var ip = destination[..40];
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(8 + quote));
        ip[6] = ProtoIcmpV6;
        ip[7] = DefaultTtl;
        dst.CopyTo(ip[8..]);
        src.CopyTo(ip[24..]);

        var icmp = destination.Slice(40, 8 + quote);
        icmp[0] = 2; // Packet Too Big (RFC 4443 §3.2)
        icmp[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], (uint)Math.Max(mtu, MinIpv6Mtu));
        original[..quote].CopyTo(icmp[8..]);

        // RFC 4443 §2.3: the checksum covers the RFC 8200 §8.1 pseudo-header too.
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(tail, (uint)icmp.Length);
        BinaryPrimitives.WriteUInt32BigEndian(tail[4..], ProtoIcmpV6);
        uint sum = InternetChecksum.Add(0, ip.Slice(8, 32));
        sum = InternetChecksum.Add(sum, tail);
        sum = InternetChecksum.Add(sum, icmp);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Finish(sum));
        return length;
    }

    /// <summary>RFC 1122 §3.2.2: ICMP errors are Destination Unreachable, Source Quench, Redirect, Time Exceeded, Parameter Problem.</summary>
    private static bool IsIcmpV4Error(byte type) => type is 3 or 4 or 5 or 11 or 12;
}
