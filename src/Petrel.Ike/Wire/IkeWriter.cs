using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

/// <summary>
/// Writes network-order fields into a buffer sized beforehand (every payload knows its
/// encoded length, so a message is measured, allocated once and filled).
/// </summary>
public ref struct IkeWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public IkeWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _buffer.Length - _position;

    public void WriteUInt8(byte value) => _buffer[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>Writes count zero bytes (RESERVED fields).</summary>
    public void WriteZeros(int count)
    {
        _buffer.Slice(_position, count).Clear();
        _position += count;
    }

    /// <summary>Reserves count bytes to be filled later (length fields) and returns their span.</summary>
    public Span<byte> Reserve(int count)
    {
        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }
}
