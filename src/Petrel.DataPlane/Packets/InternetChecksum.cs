using System.Buffers.Binary;

namespace Petrel.DataPlane.Packets;

/// <summary>The Internet checksum (RFC 1071) and its incremental update (RFC 1624).</summary>
public static class InternetChecksum
{
    /// <summary>Adds data to a running one's-complement sum (not yet folded or inverted).</summary>
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        // RFC 1071 §4.1: an odd trailing byte is padded with a zero byte on the right.
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        return Fold(sum);
    }

    /// <summary>Folds the carries and inverts: the value written into a checksum field.</summary>
    public static ushort Finish(uint sum) => (ushort)~Fold(sum);

    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));

    /// <summary>
    /// RFC 1624 §3 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word changed from m to m',
    /// without summing the whole segment again (and without RFC 1141's -0 pitfall).
    /// </summary>
    public static ushort Update(ushort checksum, ushort oldWord, ushort newWord)
    {
        uint sum = (uint)(ushort)~checksum + (ushort)~oldWord + newWord;
        return (ushort)~Fold(sum);
    }

    private static uint Fold(uint sum)
    {
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return sum;
    }
}
