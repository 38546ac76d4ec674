using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;

namespace Petrel.Ike.Eap;

/// <summary>
/// What EAP-TLS authenticates with: our certificate, its key and the intermediates we send, and the check of the
/// other side's certificate chain (the IKE layer's chain validation and identity match; returns an error or null).
/// </summary>
public sealed class EapTlsCredentials
{
    public required X509Certificate Certificate { get; init; }
    public required PrivateKey Key { get; init; }
    public IReadOnlyList<X509Certificate> Intermediates { get; init; } = [];

    /// <summary>Checks the peer's end-entity certificate and the intermediates it sent; null when trusted, else the reason.</summary>
    public required Func<X509Certificate, IReadOnlyList<X509Certificate>, string?> VerifyPeer { get; init; }
}
