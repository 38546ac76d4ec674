using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

/// <summary>
/// Reads network-order fields from a received datagram. Every read is a TryRead: a short
/// buffer is an expected event on the wire (truncation, a lying length field), never an exception.
/// </summary>
public ref struct IkeReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public IkeReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _buffer.Length - _position;
    public readonly bool End => _position >= _buffer.Length;

    /// <summary>The unread rest of the buffer, without consuming it.</summary>
    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    public bool TryReadUInt8(out byte value)
    {
        if (Remaining < 1) { value = 0; return false; }
        value = _buffer[_position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (!BinaryPrimitives.TryReadUInt16BigEndian(_buffer[_position..], out value)) return false;
        _position += 2;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (!BinaryPrimitives.TryReadUInt32BigEndian(_buffer[_position..], out value)) return false;
        _position += 4;
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (!BinaryPrimitives.TryReadUInt64BigEndian(_buffer[_position..], out value)) return false;
        _position += 8;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || Remaining < count) { value = default; return false; }
        value = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }

    public bool TrySkip(int count)
    {
        if (count < 0 || Remaining < count) return false;
        _position += count;
        return true;
    }

    /// <summary>Consumes everything left.</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _buffer[_position..];
        _position = _buffer.Length;
        return rest;
    }
}
