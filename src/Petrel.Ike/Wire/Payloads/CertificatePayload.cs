namespace Petrel.Ike.Wire;

//  RFC 7296 §3.6 Certificate Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Cert Encoding |                                               |
//  +-+-+-+-+-+-+-+-+                                               |
//  ~                       Certificate Data                        ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>CERT (RFC 7296 §3.6), data kept raw (DER for encoding 4).</summary>
public sealed class CertificatePayload(CertificateEncoding encoding, ReadOnlyMemory<byte> data) : IkePayload
{
    public override PayloadType Type => PayloadType.Certificate;
    public CertificateEncoding Encoding { get; } = encoding;
    public ReadOnlyMemory<byte> Data { get; } = data;
    public override int BodyLength => 1 + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Encoding;
        Data.Span.CopyTo(destination[1..]);
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out CertificatePayload? payload, out string error)
    {
        if (body.Length < 1) { payload = null; error = "CERT payload has no encoding byte"; return false; }
        payload = new CertificatePayload((CertificateEncoding)body[0], body[1..].ToArray());
        error = "";
        return true;
    }
}
