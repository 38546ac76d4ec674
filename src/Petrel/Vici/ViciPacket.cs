using System.Buffers.Binary;
using System.Text;

namespace Petrel.Vici;

/// <summary>
/// One vici packet: its type, the name of named types (CMD_REQUEST, EVENT_REGISTER, EVENT_UNREGISTER,
/// EVENT) and the message bytes. On the stream each packet is prefixed by its 32-bit big-endian length.
/// </summary>
public readonly record struct ViciPacket(ViciPacketType Type, string? Name, ReadOnlyMemory<byte> Message)
{
    /// <summary>charon's limit on one packet (VICI_MESSAGE_SIZE_MAX, 512 KiB); a longer length closes the connection.</summary>
    public const int MaxLength = 512 * 1024;

    public static bool IsNamed(ViciPacketType type) =>
        type is ViciPacketType.CmdRequest or ViciPacketType.EventRegister or ViciPacketType.EventUnregister or ViciPacketType.Event;

    /// <summary>Parses a packet (without its length prefix). False with a reason for an unknown type or a truncated name.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> data, out ViciPacket packet, out string error)
    {
        packet = default;
        error = "";
        var span = data.Span;
        if (span.Length == 0)
        {
            error = "empty packet";
            return false;
        }
        var type = (ViciPacketType)span[0];
        if (type > ViciPacketType.Event)
        {
            error = $"unknown packet type {span[0]}";
            return false;
        }
        int pos = 1;
        string? name = null;
        if (IsNamed(type))
        {
            if (!ViciReader.TryName(span, ref pos, out string n, out error)) return false;
            name = n;
        }
        packet = new ViciPacket(type, name, data[pos..]);
        return true;
    }

    /// <summary>The packet with its length prefix, ready to write to the stream.</summary>
    public static byte[] Encode(ViciPacketType type, string? name, ReadOnlySpan<byte> message)
    {
        int nameLength = name is null ? 0 : 1 + Encoding.ASCII.GetByteCount(name);
        var bytes = new byte[4 + 1 + nameLength + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(1 + nameLength + message.Length));
        bytes[4] = (byte)type;
        int pos = 5;
        if (name is not null)
        {
            if (name.Length > byte.MaxValue) throw new ArgumentException("vici packet name longer than 255");
            bytes[pos++] = (byte)name.Length;
            pos += Encoding.ASCII.GetBytes(name, bytes.AsSpan(pos));
        }
        message.CopyTo(bytes.AsSpan(pos));
        return bytes;
    }
}
