namespace Petrel.Ike.Certificates;

/// <summary>
/// What a peer may send in CERT payloads before authentication (issue 12, "bounded work before authentication"):
/// an end entity and a chain of up to <see cref="ChainValidator.MaxDepth"/> intermediates fit with room to spare.
/// Beyond these the IKE_AUTH fails with one log line, before any certificate is parsed or any signature checked.
/// </summary>
public static class PeerCertificateLimits
{
    /// <summary>CERT payloads of any encoding in one IKE_AUTH message.</summary>
    public const int MaxCertificates = 16;

    /// <summary>Bytes of one DER certificate (a 16384-bit RSA certificate is about 2.5 kB).</summary>
    public const int MaxCertificateBytes = 32 * 1024;
}
