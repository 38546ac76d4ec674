namespace Petrel.Ike.Wire;

//  RFC 7296 §3.16 EAP Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                       EAP Message                             ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  EAP Message: Code (1) | Identifier (1) | Length (2) | Type (1, requests/responses) | Type_Data

/// <summary>EAP (RFC 7296 §3.16); the EAP message is kept whole for the EAP method to interpret.</summary>
public sealed class EapPayload(ReadOnlyMemory<byte> message) : IkePayload
{
    public override PayloadType Type => PayloadType.Eap;
    public ReadOnlyMemory<byte> Message { get; } = message;
    public override int BodyLength => Message.Length;
    public override void WriteBody(Span<byte> destination) => Message.Span.CopyTo(destination);

    /// <summary>EAP Code: 1 Request, 2 Response, 3 Success, 4 Failure.</summary>
    public byte Code => Message.Span[0];
    public byte Identifier => Message.Span[1];

    public static bool TryDecode(ReadOnlySpan<byte> body, out EapPayload? payload, out string error)
    {
        // RFC 3748 §4: the 4-byte EAP header is always present and its length covers the whole message.
        if (body.Length < 4) { payload = null; error = $"EAP payload of {body.Length} bytes is shorter than the EAP header"; return false; }
        int length = (body[2] << 8) | body[3];
        if (length != body.Length) { payload = null; error = $"EAP length {length} does not match the {body.Length}-byte payload"; return false; }
        payload = new EapPayload(body.ToArray());
        error = "";
        return true;
    }
}
