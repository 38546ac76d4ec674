using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

//  RFC 7296 §3.4 Key Exchange Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Diffie-Hellman Group Num    |           RESERVED            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                       Key Exchange Data                       ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>KE (RFC 7296 §3.4): the group (Transform Type 4 id) and our public value.</summary>
public sealed class KeyExchangePayload(ushort group, ReadOnlyMemory<byte> data) : IkePayload
{
    public override PayloadType Type => PayloadType.KeyExchange;
    public ushort Group { get; } = group;
    public ReadOnlyMemory<byte> Data { get; } = data;
    public override int BodyLength => 4 + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Group);
        destination.Slice(2, 2).Clear();
        Data.Span.CopyTo(destination[4..]);
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out KeyExchangePayload? payload, out string error)
    {
        var r = new IkeReader(body);
        if (!r.TryReadUInt16(out ushort group) || !r.TrySkip(2))
        {
            payload = null; error = $"KE payload body of {body.Length} bytes is too short"; return false;
        }
        payload = new KeyExchangePayload(group, r.ReadRest().ToArray());
        error = "";
        return true;
    }
}
