namespace Petrel.Ike.Wire;

//  RFC 7296 §3.2 Generic Payload Header
//                       1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>
/// One payload of an IKE message. The generic header (next payload, critical bit, length) is written
/// by <see cref="IkeMessage"/>, which knows the chain; a payload only knows its body.
/// </summary>
public abstract class IkePayload
{
    public const int HeaderSize = 4;

    public abstract PayloadType Type { get; }

    /// <summary>
    /// The critical bit. RFC 7296 §3.2: zero for every payload type the RFC defines; kept as received so
    /// a decoded message re-encodes to the same bytes.
    /// </summary>
    public bool Critical { get; set; }

    /// <summary>Length of the body (everything after the 4-byte generic header).</summary>
    public abstract int BodyLength { get; }

    /// <summary>Writes exactly <see cref="BodyLength"/> bytes.</summary>
    public abstract void WriteBody(Span<byte> destination);

    public int EncodedLength => HeaderSize + BodyLength;

    public override string ToString() => Type.ToString();
}
