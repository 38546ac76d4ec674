namespace Petrel.Ike.Wire;

//  RFC 7296 §3.7 Certificate Request Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Cert Encoding |                                               |
//  +-+-+-+-+-+-+-+-+                                               |
//  ~                    Certification Authority                    ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>CERTREQ (RFC 7296 §3.7). For X.509 the authority field is a concatenation of 20-byte SHA-1 hashes of CA public keys.</summary>
public sealed class CertificateRequestPayload(CertificateEncoding encoding, ReadOnlyMemory<byte> authorities) : IkePayload
{
    public const int AuthorityHashLength = 20;

    public override PayloadType Type => PayloadType.CertificateRequest;
    public CertificateEncoding Encoding { get; } = encoding;
    public ReadOnlyMemory<byte> Authorities { get; } = authorities;
    public override int BodyLength => 1 + Authorities.Length;

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Encoding;
        Authorities.Span.CopyTo(destination[1..]);
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out CertificateRequestPayload? payload, out string error)
    {
        if (body.Length < 1) { payload = null; error = "CERTREQ payload has no encoding byte"; return false; }
        payload = new CertificateRequestPayload((CertificateEncoding)body[0], body[1..].ToArray());
        error = "";
        return true;
    }
}
