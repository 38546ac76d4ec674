using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Petrel.DataPlane.Tests.Ah;

/// <summary>
/// An independent, deliberately naive AH encoder written from RFC 4302 (§2 layout, §2.6 ICV
/// alignment, §3.3.3 ICV input, Appendix A mutability, Appendix B ESN) with HMAC-SHA-256-128
/// (RFC 4868), used to check the data plane's AH output and to feed it packets it did not build.
/// </summary>
internal static class ReferenceAh
{
    public const int IcvLength = 16;

    /// <summary>AH length: 12 fixed bytes + ICV, padded to 4 (IPv4) or 8 (IPv6) bytes.</summary>
    public static int Length(bool ipv6) => ipv6 ? 32 : 28;

    /// <summary>
    /// header: the IP header and any extension headers before AH, with the field naming the next
    /// header already 51. Lengths and the IPv4 checksum are filled in here; the ICV last.
    /// </summary>
    public static byte[] Build(byte[] header, byte next, uint spi, ulong seq, bool esn, byte[] payload, byte[] key)
    {
        bool ipv6 = header[0] >> 4 == 6;
        int ahLength = Length(ipv6);
        var packet = new byte[header.Length + ahLength + payload.Length];
        header.CopyTo(packet, 0);
        int ah = header.Length;
        packet[ah] = next;
        packet[ah + 1] = (byte)(ahLength / 4 - 2);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(ah + 4), spi);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(ah + 8), (uint)seq);
        payload.CopyTo(packet, ah + ahLength);
        if (ipv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(packet.Length - 40));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
            packet[10] = 0;
            packet[11] = 0;
            int ihl = (packet[0] & 0xF) * 4;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Packets.TestPackets.Checksum(packet.AsSpan(0, ihl)));
        }
        Icv(packet, ah, seq, esn, key).CopyTo(packet, ah + 12);
        return packet;
    }

    /// <summary>The ICV the packet must carry: HMAC over a copy with mutable fields and the ICV zeroed, ESN high bits appended.</summary>
    public static byte[] Icv(byte[] packet, int ahOffset, ulong seq, bool esn, byte[] key)
    {
        var copy = (byte[])packet.Clone();
        bool ipv6 = copy[0] >> 4 == 6;
        if (ipv6)
        {
            // Traffic class (8 bits) and flow label (20 bits) straddle bytes 0..3; hop limit is byte 7.
            copy[0] = 0x60;
            copy[1] = copy[2] = copy[3] = 0;
            copy[7] = 0;
            // Extension headers between the fixed header and AH: options whose type has the
            // "may change en route" bit (0x20, RFC 8200 §4.2) have their data zeroed.
            byte nh = copy[6];
            int off = 40;
            while (off < ahOffset)
            {
                int len = (copy[off + 1] + 1) * 8;
                if (nh is 0 or 60)
                {
                    int i = off + 2;
                    while (i < off + len)
                    {
                        if (copy[i] == 0) { i++; continue; }
                        int olen = copy[i + 1];
                        if ((copy[i] & 0x20) != 0)
                            Array.Clear(copy, i + 2, olen);
                        i += 2 + olen;
                    }
                }
                nh = copy[off];
                off += len;
            }
        }
        else
        {
            copy[1] = 0;                   // TOS
            copy[6] = copy[7] = 0;         // flags + fragment offset
            copy[8] = 0;                   // TTL
            copy[10] = copy[11] = 0;       // header checksum
        }
        int ahLength = (copy[ahOffset + 1] + 2) * 4;
        Array.Clear(copy, ahOffset + 12, ahLength - 12);
        byte[] data = copy;
        if (esn)
        {
            var hi = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(hi, (uint)(seq >> 32));
            data = [.. copy, .. hi];
        }
        return HMACSHA256.HashData(key, data)[..IcvLength];
    }
}
