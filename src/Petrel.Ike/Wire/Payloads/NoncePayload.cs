namespace Petrel.Ike.Wire;

//  RFC 7296 §3.9 Nonce Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                            Nonce Data                         ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>Ni / Nr (RFC 7296 §3.9).</summary>
public sealed class NoncePayload(ReadOnlyMemory<byte> data) : IkePayload
{
    /// <summary>RFC 7296 §2.10: a nonce is between 16 and 256 octets.</summary>
    public const int MinLength = 16, MaxLength = 256;

    public override PayloadType Type => PayloadType.Nonce;
    public ReadOnlyMemory<byte> Data { get; } = data;

    /// <summary>Whether the length is within §2.10 bounds (the engine answers INVALID_SYNTAX otherwise).</summary>
    public bool HasValidLength => Data.Length is >= MinLength and <= MaxLength;

    public override int BodyLength => Data.Length;
    public override void WriteBody(Span<byte> destination) => Data.Span.CopyTo(destination);

    public static bool TryDecode(ReadOnlySpan<byte> body, out NoncePayload? payload, out string error)
    {
        if (body.Length == 0) { payload = null; error = "Nonce payload is empty"; return false; }
        payload = new NoncePayload(body.ToArray());
        error = "";
        return true;
    }
}
