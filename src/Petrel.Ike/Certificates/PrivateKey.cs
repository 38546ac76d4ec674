using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace Petrel.Ike.Certificates;

/// <summary>A loaded private key: RSA, ECDSA (P-256/384/521) or Ed25519, with its public half.</summary>
public sealed class PrivateKey
{
    public PrivateKey(AsymmetricKeyParameter key)
    {
        if (!key.IsPrivate)
            throw new CertificateException("a public key is not a private key");
        Key = key;
        (Kind, PublicKey, Bits) = key switch
        {
            RsaPrivateCrtKeyParameters rsa => (KeyKind.Rsa, (AsymmetricKeyParameter)new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent), rsa.Modulus.BitLength),
            ECPrivateKeyParameters ec => (KeyKind.Ecdsa, new ECPublicKeyParameters(ec.Parameters.G.Multiply(ec.D).Normalize(), ec.Parameters), ec.Parameters.Curve.FieldSize),
            Ed25519PrivateKeyParameters ed => (KeyKind.Ed25519, ed.GeneratePublicKey(), 256),
            _ => throw new CertificateException($"unsupported private key type {key.GetType().Name} (RSA, ECDSA and Ed25519 are supported)"),
        };
    }

    public AsymmetricKeyParameter Key { get; }
    public AsymmetricKeyParameter PublicKey { get; }
    public KeyKind Kind { get; }

    /// <summary>RSA modulus size, EC field size (256/384/521) or 256 for Ed25519.</summary>
    public int Bits { get; }

    public override string ToString() => Kind switch
    {
        KeyKind.Rsa => $"RSA {Bits} bits",
        KeyKind.Ecdsa => $"ECDSA {Bits} bits",
        _ => "Ed25519",
    };
}
