using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Petrel.DataPlane.Offload;

/// <summary>
/// The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words. Sums are
/// kept unfolded in a ulong so pieces (pseudo-header, header, payload) can be added and folded
/// once. Reads eight bytes at a time; the sum of big-endian words equals the byte-swapped sum of
/// little-endian words (RFC 1071 §2(B)), so the loop works in native order and swaps at the end.
/// </summary>
public static class InternetChecksum
{
    /// <summary>Adds data to an unfolded sum. data must start at an even offset of the checksummed range.</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        ulong native = 0;
        int i = 0;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong w in words)
        {
            // Add the two 32-bit halves separately: no carry is lost in a 64-bit accumulator
            // for any packet shorter than 2^32 × 8 bytes.
            native += (uint)w;
            native += w >> 32;
        }
        i = words.Length * 8;
        for (; i + 1 < data.Length; i += 2)
            native += MemoryMarshal.Read<ushort>(data[i..]);
        ulong folded = FoldTo16(native);
        ulong be = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness((ushort)folded) : folded;
        sum += be;
        if (i < data.Length)
            sum += (ulong)data[i] << 8; // odd trailing byte is padded with a zero (RFC 1071 §1)
        return sum;
    }

    /// <summary>Folds a sum to 16 bits (end-around carry), not complemented.</summary>
    public static ushort Fold(ulong sum) => (ushort)FoldTo16(sum);

    /// <summary>The checksum field value: the complement of the folded sum.</summary>
    public static ushort Finish(ulong sum) => (ushort)~FoldTo16(sum);

    private static ulong FoldTo16(ulong s)
    {
        s = (s & 0xFFFFFFFF) + (s >> 32);
        s = (s & 0xFFFFFFFF) + (s >> 32);
        s = (s & 0xFFFF) + (s >> 16);
        s = (s & 0xFFFF) + (s >> 16);
        s = (s & 0xFFFF) + (s >> 16);
        return s;
    }

    /// <summary>
    /// The TCP/UDP pseudo-header sum (RFC 9293 §3.1, RFC 8200 §8.1) for an IPv4 or IPv6 packet:
    /// source and destination address, protocol and the upper-layer length.
    /// </summary>
    public static ulong PseudoHeader(ReadOnlySpan<byte> ipPacket, byte protocol, int upperLength)
    {
        ulong sum = (ulong)protocol + (uint)upperLength;
        if (ipPacket[0] >> 4 == 4)
            return Add(sum, ipPacket.Slice(12, 8));
        return Add(sum, ipPacket.Slice(8, 32));
    }

    /// <summary>Recomputes an IPv4 header's checksum (RFC 791) in place.</summary>
    public static void SetIpv4HeaderChecksum(Span<byte> header)
    {
        header[10] = 0;
        header[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], Finish(Add(0, header)));
    }
}
