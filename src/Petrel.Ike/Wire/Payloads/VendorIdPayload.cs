namespace Petrel.Ike.Wire;

//  RFC 7296 §3.12 Vendor ID Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                        Vendor ID (VID)                        ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>Vendor ID (RFC 7296 §3.12).</summary>
public sealed class VendorIdPayload(ReadOnlyMemory<byte> data) : IkePayload
{
    public override PayloadType Type => PayloadType.VendorId;
    public ReadOnlyMemory<byte> Data { get; } = data;
    public override int BodyLength => Data.Length;
    public override void WriteBody(Span<byte> destination) => Data.Span.CopyTo(destination);

    public static bool TryDecode(ReadOnlySpan<byte> body, out VendorIdPayload? payload, out string error)
    {
        payload = new VendorIdPayload(body.ToArray());
        error = "";
        return true;
    }
}
