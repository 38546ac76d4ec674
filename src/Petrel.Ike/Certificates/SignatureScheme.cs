namespace Petrel.Ike.Certificates;

/// <summary>Signature schemes for IKEv2 AUTH (RFC 7296 §3.8, RFC 4754, RFC 7427, RFC 8420).</summary>
public enum SignatureScheme
{
    RsaPkcs1Sha1,
    RsaPkcs1Sha256,
    RsaPkcs1Sha384,
    RsaPkcs1Sha512,
    /// <summary>RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash (RFC 7427 Appendix A.4).</summary>
    RsaPssSha256,
    RsaPssSha384,
    RsaPssSha512,
    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,
    Ed25519,
}
