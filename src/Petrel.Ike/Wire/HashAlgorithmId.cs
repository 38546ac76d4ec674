namespace Petrel.Ike.Wire;

/// <summary>IKEv2 hash algorithm identifiers for SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4, IANA "IKEv2 Hash Algorithms").</summary>
public enum HashAlgorithmId : ushort
{
    Sha1 = 1,
    Sha2_256 = 2,
    Sha2_384 = 3,
    Sha2_512 = 4,
    /// <summary>RFC 8420: for signature schemes that hash internally (Ed25519, Ed448).</summary>
    Identity = 5,
}
