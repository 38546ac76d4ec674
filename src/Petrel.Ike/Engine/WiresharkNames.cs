using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Ike.Engine;

/// <summary>
/// Algorithm names exactly as Wireshark's ikev2_decryption_table and esp_sa UATs spell them
/// (Wireshark matches these strings literally; a wrong spelling makes the row unusable).
/// IANA transform ids per RFC 7296 §3.3.2 and the IKEv2 registry.
/// </summary>
internal static class WiresharkNames
{
    public static string? IkeEncryption(Transform t) => t.Id switch
    {
        3 => "3DES [RFC2451]",
        11 => "NULL [RFC2410]",
        12 => $"AES-CBC-{t.KeyLengthBits} [RFC3602]",
        13 => $"AES-CTR-{t.KeyLengthBits} [RFC5930]",
        14 => $"AES-CCM-{t.KeyLengthBits} with 8 octet ICV [RFC5282]",
        15 => $"AES-CCM-{t.KeyLengthBits} with 12 octet ICV [RFC5282]",
        16 => $"AES-CCM-{t.KeyLengthBits} with 16 octet ICV [RFC5282]",
        18 => $"AES-GCM-{t.KeyLengthBits} with 8 octet ICV [RFC5282]",
        19 => $"AES-GCM-{t.KeyLengthBits} with 12 octet ICV [RFC5282]",
        20 => $"AES-GCM-{t.KeyLengthBits} with 16 octet ICV [RFC5282]",
        _ => null,
    };

    /// <summary>For AEAD IKE ciphers Wireshark wants "NONE [RFC4306]" (pass a null transform).</summary>
    public static string? IkeIntegrity(Transform? t) => t?.Id switch
    {
        null or 0 => "NONE [RFC4306]",
        1 => "HMAC_MD5_96 [RFC2403]",
        2 => "HMAC_SHA1_96 [RFC2404]",
        6 => "HMAC_MD5_128 [RFC4595]",
        7 => "HMAC_SHA1_160 [RFC4595]",
        12 => "HMAC_SHA2_256_128 [RFC4868]",
        13 => "HMAC_SHA2_384_192 [RFC4868]",
        14 => "HMAC_SHA2_512_256 [RFC4868]",
        1026 => "HMAC_SHA2_256_96 [draft-ietf-ipsec-ciph-sha-256-00]",
        _ => null,
    };

    public static string? EspEncryption(Transform t) => t.Id switch
    {
        2 => "DES-CBC [RFC2405]",
        3 => "TripleDES-CBC [RFC2451]",
        6 => "CAST5-CBC [RFC2144]",
        7 => "BLOWFISH-CBC [RFC2451]",
        11 => "NULL",
        12 => "AES-CBC [RFC3602]",
        13 => "AES-CTR [RFC3686]",
        18 => "AES-GCM with 8 octet ICV [RFC4106]",
        19 => "AES-GCM with 12 octet ICV [RFC4106]",
        20 => "AES-GCM with 16 octet ICV [RFC4106]",
        _ => null,
    };

    public static string? EspIntegrity(Transform? t) => t?.Id switch
    {
        null or 0 => "NULL",
        1 => "HMAC-MD5-96 [RFC2403]",
        2 => "HMAC-SHA-1-96 [RFC2404]",
        12 => "HMAC-SHA-256-128 [RFC4868]",
        13 => "HMAC-SHA-384-192 [RFC4868]",
        14 => "HMAC-SHA-512-256 [RFC4868]",
        1026 => "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]",
        _ => null,
    };

    /// <summary>Wireshark has no name for this one: fall back to our display name so the row is still readable.</summary>
    public static string Fallback(Transform t) => AlgorithmCatalog.Describe(t);
}
