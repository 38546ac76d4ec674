using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Petrel.Platform.Net;

/// <summary>
/// Reads the attributes after a reply's fixed family header (struct rtattr runs, 4-byte aligned).
/// A truncated or malformed attribute ends the walk instead of throwing: the kernel is trusted,
/// but a short read must not turn into an out-of-range access.
/// </summary>
internal static class NetlinkAttributes
{
    public static bool TryFind(ReadOnlySpan<byte> attributes, ushort type, out ReadOnlySpan<byte> value)
    {
        while (attributes.Length >= RtNetlinkProtocol.AttributeHeaderLength)
        {
            int length = MemoryMarshal.Read<ushort>(attributes);
            // NLA_F_NESTED / NLA_F_NET_BYTEORDER live in the top bits of the type.
            int kind = MemoryMarshal.Read<ushort>(attributes[2..]) & 0x3fff;
            if (length < RtNetlinkProtocol.AttributeHeaderLength || length > attributes.Length)
                break;
            if (kind == type)
            {
                value = attributes[RtNetlinkProtocol.AttributeHeaderLength..length];
                return true;
            }
            int next = RtNetlinkProtocol.Align(length);
            if (next >= attributes.Length)
                break;
            attributes = attributes[next..];
        }
        value = default;
        return false;
    }

    public static uint? UInt32(ReadOnlySpan<byte> attributes, ushort type) =>
        TryFind(attributes, type, out var v) && v.Length >= 4 ? MemoryMarshal.Read<uint>(v) : null;

    public static IPAddress? Address(ReadOnlySpan<byte> attributes, ushort type) =>
        TryFind(attributes, type, out var v) && (v.Length == 4 || v.Length == 16) ? new IPAddress(v) : null;

    public static string? String(ReadOnlySpan<byte> attributes, ushort type)
    {
        if (!TryFind(attributes, type, out var v))
            return null;
        int end = v.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? v : v[..end]);
    }
}
