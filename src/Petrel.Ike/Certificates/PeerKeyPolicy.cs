using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace Petrel.Ike.Certificates;

/// <summary>
/// Bounds on the public keys of certificates a peer sends, checked before any signature is verified with them, so
/// a hostile certificate cannot make one verification arbitrarily expensive (issue 12, "key sizes and exponents"):
/// RSA public exponents up to 64 bits (OpenSSL's OPENSSL_RSA_MAX_PUBEXP_BITS; BouncyCastle already refuses moduli over
/// 16384 bits, even exponents and moduli with small factors when it parses the certificate); EC keys on a named curve
/// of at most 521 bits (explicit curve parameters are refused: their cost and soundness are the sender's choice);
/// Ed25519 and Ed448. Anything else cannot authenticate IKE here and is refused.
/// </summary>
public static class PeerKeyPolicy
{
    public const int MaxRsaExponentBits = 64;
    public const int MaxEcFieldBits = 521;

    /// <summary>Null when the key is acceptable, else why not (for the log line).</summary>
    public static string? Problem(AsymmetricKeyParameter key) => key switch
    {
        RsaKeyParameters rsa when rsa.Exponent.BitLength > MaxRsaExponentBits =>
            $"RSA public exponent of {rsa.Exponent.BitLength} bits exceeds {MaxRsaExponentBits}",
        RsaKeyParameters => null,
        ECPublicKeyParameters ec when ec.PublicKeyParamSet is null =>
            "EC key with explicit curve parameters (only named curves are accepted)",
        ECPublicKeyParameters ec when ec.Parameters.Curve.FieldSize > MaxEcFieldBits =>
            $"EC key on a {ec.Parameters.Curve.FieldSize}-bit curve exceeds {MaxEcFieldBits} bits",
        ECPublicKeyParameters => null,
        Ed25519PublicKeyParameters or Ed448PublicKeyParameters => null,
        _ => $"{key.GetType().Name.Replace("Parameters", "", StringComparison.Ordinal)} keys are not accepted",
    };
}
