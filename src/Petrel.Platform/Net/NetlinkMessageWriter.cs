using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Petrel.Platform.Net;

/// <summary>
/// Builds one netlink request in a caller's buffer: the nlmsghdr, a fixed family header (rtmsg,
/// fib_rule_hdr, ifinfomsg) the caller fills in through <see cref="Reserve"/>, then attributes.
/// Netlink integers are in host byte order; addresses are in network order, as on the wire.
/// </summary>
internal ref struct NetlinkMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    public NetlinkMessageWriter(Span<byte> buffer, ushort type, ushort flags, uint sequence)
    {
        _buffer = buffer;
        _buffer[..RtNetlinkProtocol.HeaderLength].Clear();
        MemoryMarshal.Write(_buffer[4..], type);
        MemoryMarshal.Write(_buffer[6..], flags);
        MemoryMarshal.Write(_buffer[8..], sequence);
        _length = RtNetlinkProtocol.HeaderLength;
    }

    /// <summary>Appends a zeroed block (a family header) and returns it for the caller to fill in.</summary>
    public Span<byte> Reserve(int length)
    {
        int padded = RtNetlinkProtocol.Align(length);
        var block = _buffer.Slice(_length, padded);
        block.Clear();
        _length += padded;
        return block[..length];
    }

    public void Attribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        int length = RtNetlinkProtocol.AttributeHeaderLength + value.Length;
        var block = Reserve(length);
        MemoryMarshal.Write(block, (ushort)length);
        MemoryMarshal.Write(block[2..], type);
        value.CopyTo(block[RtNetlinkProtocol.AttributeHeaderLength..]);
    }

    public void UInt32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        MemoryMarshal.Write(b, value);
        Attribute(type, b);
    }

    public void Address(ushort type, IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out int n);
        Attribute(type, b[..n]);
    }

    /// <summary>A NUL-terminated string attribute (IFLA_IFNAME).</summary>
    public void String(ushort type, string value)
    {
        Span<byte> b = stackalloc byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, b);
        b[^1] = 0;
        Attribute(type, b);
    }

    /// <summary>Writes the total length into the header; the request is the first that many bytes of the buffer.</summary>
    public int Finish()
    {
        MemoryMarshal.Write(_buffer, (uint)_length);
        return _length;
    }
}
