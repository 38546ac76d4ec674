using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Petrel.Vici;

/// <summary>
/// Builds a vici message element by element. Names are at most 255 ASCII bytes and values at most
/// 65535 bytes (the element's length fields); a longer text value is cut at that length, since a log line
/// or an error message must still arrive.
/// </summary>
public sealed class ViciWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private int _depth;
    private bool _inList;

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public byte[] ToArray()
    {
        if (_depth != 0 || _inList) throw new InvalidOperationException("a vici section or list is still open");
        return _buffer.WrittenSpan.ToArray();
    }

    public ViciWriter BeginSection(string name)
    {
        Type(ViciElementType.SectionStart);
        Name(name);
        _depth++;
        return this;
    }

    public ViciWriter EndSection()
    {
        if (_depth == 0) throw new InvalidOperationException("no vici section is open");
        Type(ViciElementType.SectionEnd);
        _depth--;
        return this;
    }

    public ViciWriter Add(string key, ReadOnlySpan<byte> value)
    {
        Type(ViciElementType.KeyValue);
        Name(key);
        Value(value);
        return this;
    }

    public ViciWriter Add(string key, string value) => Add(key, Utf8(value));

    public ViciWriter Add(string key, long value) => Add(key, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public ViciWriter Add(string key, bool value) => Add(key, value ? "yes" : "no");

    public ViciWriter BeginList(string name)
    {
        Type(ViciElementType.ListStart);
        Name(name);
        _inList = true;
        return this;
    }

    public ViciWriter Item(ReadOnlySpan<byte> value)
    {
        if (!_inList) throw new InvalidOperationException("no vici list is open");
        _buffer.GetSpan(1)[0] = (byte)ViciElementType.ListItem;
        _buffer.Advance(1);
        Value(value);
        return this;
    }

    public ViciWriter Item(string value) => Item(Utf8(value));

    public ViciWriter EndList()
    {
        if (!_inList) throw new InvalidOperationException("no vici list is open");
        _buffer.GetSpan(1)[0] = (byte)ViciElementType.ListEnd;
        _buffer.Advance(1);
        _inList = false;
        return this;
    }

    public ViciWriter List(string name, IEnumerable<string> items)
    {
        BeginList(name);
        foreach (var i in items) Item(i);
        return EndList();
    }

    private static byte[] Utf8(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return bytes.Length <= ushort.MaxValue ? bytes : bytes[..ushort.MaxValue];
    }

    private void Type(ViciElementType type)
    {
        if (_inList) throw new InvalidOperationException("only items may follow a vici list start");
        _buffer.GetSpan(1)[0] = (byte)type;
        _buffer.Advance(1);
    }

    private void Name(string name)
    {
        if (name.Length > byte.MaxValue || !Ascii.IsValid(name))
            throw new ArgumentException($"vici name '{name}' is not at most 255 ASCII characters");
        var span = _buffer.GetSpan(1 + name.Length);
        span[0] = (byte)name.Length;
        Encoding.ASCII.GetBytes(name, span[1..]);
        _buffer.Advance(1 + name.Length);
    }

    private void Value(ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
            throw new ArgumentException($"vici value of {value.Length} bytes is longer than 65535");
        var span = _buffer.GetSpan(2 + value.Length);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)value.Length);
        value.CopyTo(span[2..]);
        _buffer.Advance(2 + value.Length);
    }
}
