using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

//  RFC 7296 §3.1 IKE Header
//                       1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       IKE SA Initiator's SPI                  |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       IKE SA Responder's SPI                  |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Message ID                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                            Length                             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>The fixed 28-byte IKE header (RFC 7296 §3.1).</summary>
public readonly record struct IkeHeader(
    ulong InitiatorSpi,
    ulong ResponderSpi,
    PayloadType NextPayload,
    byte MajorVersion,
    byte MinorVersion,
    ExchangeType ExchangeType,
    IkeHeaderFlags Flags,
    uint MessageId,
    uint Length)
{
    public const int Size = 28;

    public bool IsInitiator => (Flags & IkeHeaderFlags.Initiator) != 0;
    public bool IsResponse => (Flags & IkeHeaderFlags.Response) != 0;

    /// <summary>
    /// Reads the header of a datagram. Returns Success, Malformed (too short, Length below 28 or past
    /// the end of data) or InvalidMajorVersion (header filled so the engine can answer per §2.5).
    /// Trailing bytes after Length are tolerated by the header decoder; <see cref="IkeMessage"/> rejects them.
    /// </summary>
    public static IkeDecodeStatus TryDecode(ReadOnlySpan<byte> data, out IkeHeader header, out string error)
    {
        var r = new IkeReader(data);
        if (!r.TryReadUInt64(out ulong spiI) || !r.TryReadUInt64(out ulong spiR) || !r.TryReadUInt8(out byte next)
            || !r.TryReadUInt8(out byte version) || !r.TryReadUInt8(out byte exchange) || !r.TryReadUInt8(out byte flags)
            || !r.TryReadUInt32(out uint messageId) || !r.TryReadUInt32(out uint length))
        {
            header = default;
            error = $"IKE header truncated: {data.Length} of {Size} bytes";
            return IkeDecodeStatus.Malformed;
        }

        header = new IkeHeader(spiI, spiR, (PayloadType)next, (byte)(version >> 4), (byte)(version & 0x0f),
            (ExchangeType)exchange, (IkeHeaderFlags)flags, messageId, length);
        if (header.MajorVersion != 2)
        {
            error = $"IKE major version {header.MajorVersion}.{header.MinorVersion} not supported";
            return IkeDecodeStatus.InvalidMajorVersion;
        }
        if (length < Size)
        {
            error = $"IKE header length {length} is below {Size}";
            return IkeDecodeStatus.Malformed;
        }
        if (length > (uint)data.Length)
        {
            error = $"IKE header length {length} exceeds the {data.Length} bytes received";
            return IkeDecodeStatus.Malformed;
        }
        error = "";
        return IkeDecodeStatus.Success;
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, InitiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ResponderSpi);
        destination[16] = (byte)NextPayload;
        destination[17] = (byte)((MajorVersion << 4) | (MinorVersion & 0x0f));
        destination[18] = (byte)ExchangeType;
        destination[19] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], MessageId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], Length);
    }
}
