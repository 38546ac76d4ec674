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

    /// <summary>
    /// Checks the peer's end-entity certificate and the intermediates it sent, spending at most the given budget of
    /// signature checks on chain building (one budget per handshake, as one per IKE_AUTH); null when trusted, else the reason.
    /// </summary>
    public required Func<X509Certificate, IReadOnlyList<X509Certificate>, SignatureBudget, string?> VerifyPeer { get; init; }
}
