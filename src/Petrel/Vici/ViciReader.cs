using System.Buffers.Binary;
using System.Text;

namespace Petrel.Vici;

/// <summary>
/// Decodes a vici message (the part of a packet after its type and name). Never throws on bad input:
/// a truncated element, an unknown type, a key/value or section inside a list, an item outside one,
/// unbalanced sections or lists, a non-ASCII name, or nesting deeper than <see cref="MaxDepth"/> gives
/// false and a one-line reason.
/// </summary>
public static class ViciReader
{
    /// <summary>strongSwan's own messages nest four deep (load-conn: conn, children, child); deeper is refused so the tree stays small.</summary>
    public const int MaxDepth = 16;

    public static bool TryDecode(ReadOnlySpan<byte> data, out ViciMessage message, out string error)
    {
        message = new ViciMessage();
        error = "";
        var stack = new Stack<ViciMessage>();
        var current = message;
        string? listName = null;
        List<byte[]>? list = null;
        int pos = 0;
        while (pos < data.Length)
        {
            var type = (ViciElementType)data[pos++];
            switch (type)
            {
                case ViciElementType.SectionStart:
                {
                    if (list is not null) return Fail(out error, "a section inside a list");
                    if (!TryName(data, ref pos, out string name, out error)) return false;
                    if (stack.Count >= MaxDepth) return Fail(out error, $"sections nested deeper than {MaxDepth}");
                    var section = new ViciMessage();
                    current.Add(new ViciItem(ViciItemKind.Section, name, Section: section));
                    stack.Push(current);
                    current = section;
                    break;
                }
                case ViciElementType.SectionEnd:
                    if (list is not null) return Fail(out error, "a section end inside a list");
                    if (stack.Count == 0) return Fail(out error, "a section end without a section");
                    current = stack.Pop();
                    break;
                case ViciElementType.KeyValue:
                {
                    if (list is not null) return Fail(out error, "a key/value inside a list");
                    if (!TryName(data, ref pos, out string name, out error)) return false;
                    if (!TryValue(data, ref pos, out byte[] value, out error)) return false;
                    current.Add(new ViciItem(ViciItemKind.KeyValue, name, Value: value));
                    break;
                }
                case ViciElementType.ListStart:
                    if (list is not null) return Fail(out error, "a list inside a list");
                    if (!TryName(data, ref pos, out listName, out error)) return false;
                    list = [];
                    break;
                case ViciElementType.ListItem:
                {
                    if (list is null) return Fail(out error, "a list item outside a list");
                    if (!TryValue(data, ref pos, out byte[] value, out error)) return false;
                    list.Add(value);
                    break;
                }
                case ViciElementType.ListEnd:
                    if (list is null) return Fail(out error, "a list end without a list");
                    current.Add(new ViciItem(ViciItemKind.List, listName!, Items: list));
                    list = null;
                    listName = null;
                    break;
                default:
                    return Fail(out error, $"unknown element type {(byte)type} at offset {pos - 1}");
            }
        }
        if (list is not null) return Fail(out error, $"list '{listName}' is not closed");
        if (stack.Count > 0) return Fail(out error, $"{stack.Count} section(s) not closed");
        return true;
    }

    /// <summary>An 8-bit length and that many printable ASCII bytes.</summary>
    internal static bool TryName(ReadOnlySpan<byte> data, ref int pos, out string name, out string error)
    {
        name = "";
        error = "";
        if (pos >= data.Length) return Fail(out error, "truncated name length");
        int length = data[pos++];
        if (data.Length - pos < length) return Fail(out error, "truncated name");
        var bytes = data.Slice(pos, length);
        foreach (byte b in bytes)
            if (b < 0x20 || b > 0x7e) return Fail(out error, "a name that is not printable ASCII");
        name = Encoding.ASCII.GetString(bytes);
        pos += length;
        return true;
    }

    private static bool TryValue(ReadOnlySpan<byte> data, ref int pos, out byte[] value, out string error)
    {
        value = [];
        error = "";
        if (data.Length - pos < 2) return Fail(out error, "truncated value length");
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
        pos += 2;
        if (data.Length - pos < length) return Fail(out error, "truncated value");
        value = data.Slice(pos, length).ToArray();
        pos += length;
        return true;
    }

    private static bool Fail(out string error, string reason)
    {
        error = reason;
        return false;
    }
}
