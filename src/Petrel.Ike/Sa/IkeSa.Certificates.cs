using Org.BouncyCastle.X509;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Sa;

/// <summary>What certificate authentication learns about the peer during IKE_SA_INIT and IKE_AUTH.</summary>
internal sealed partial class IkeSa
{
    /// <summary>RFC 7427 §4: the hash algorithms the peer announced in SIGNATURE_HASH_ALGORITHMS; null when it sent none.</summary>
    public List<HashAlgorithmId>? PeerSignatureHashes { get; set; }

    /// <summary>RFC 7296 §3.7: SHA-1 hashes of the SubjectPublicKeyInfo of the CAs the peer trusts (its CERTREQ payloads).</summary>
    public List<byte[]> PeerCaHashes { get; } = [];

    /// <summary>The peer's end-entity certificate once its AUTH verified.</summary>
    public X509Certificate? PeerCertificate { get; set; }
}
