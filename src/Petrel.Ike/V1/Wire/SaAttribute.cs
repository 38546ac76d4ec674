using System.Buffers.Binary;

namespace Petrel.Ike.V1.Wire;

/// <summary>
/// One SA attribute (RFC 2408 §3.3): the AF bit set means a 2-byte value in the header (TV), clear means a length
/// and a variable value (TLV). <see cref="Value"/> reads either as a number (Life Duration may be 4 bytes).
/// </summary>
public sealed record SaAttribute(ushort Type, byte[] Data, bool Basic)
{
    public static SaAttribute Of(ushort type, ushort value) => new(type, [(byte)(value >> 8), (byte)value], true);

    /// <summary>A number in as few bytes as it needs: TV when it fits 16 bits, else TLV (RFC 2409 App. A Life Duration).</summary>
    public static SaAttribute Number(ushort type, ulong value)
    {
        if (value <= ushort.MaxValue) return Of(type, (ushort)value);
        var b = new byte[value <= uint.MaxValue ? 4 : 8];
        if (b.Length == 4) BinaryPrimitives.WriteUInt32BigEndian(b, (uint)value);
        else BinaryPrimitives.WriteUInt64BigEndian(b, value);
        return new SaAttribute(type, b, false);
    }

    /// <summary>The value as a number (0 for an empty or over-long one).</summary>
    public ulong Value
    {
        get
        {
            if (Data.Length == 0 || Data.Length > 8) return 0;
            ulong v = 0;
            foreach (byte b in Data) v = (v << 8) | b;
            return v;
        }
    }

    public int EncodedLength => Basic ? 4 : 4 + Data.Length;

    public void Write(ref Petrel.Ike.Wire.IkeWriter w)
    {
        if (Basic)
        {
            w.WriteUInt16((ushort)(Type | 0x8000));
            w.WriteBytes(Data);
        }
        else
        {
            w.WriteUInt16(Type);
            w.WriteUInt16((ushort)Data.Length);
            w.WriteBytes(Data);
        }
    }

    public static bool TryRead(ref Petrel.Ike.Wire.IkeReader r, out SaAttribute? attribute)
    {
        attribute = null;
        if (!r.TryReadUInt16(out ushort type)) return false;
        if ((type & 0x8000) != 0)
        {
            if (!r.TryReadBytes(2, out var v)) return false;
            attribute = new SaAttribute((ushort)(type & 0x7FFF), v.ToArray(), true);
            return true;
        }
        if (!r.TryReadUInt16(out ushort length) || !r.TryReadBytes(length, out var data)) return false;
        attribute = new SaAttribute(type, data.ToArray(), false);
        return true;
    }
}
