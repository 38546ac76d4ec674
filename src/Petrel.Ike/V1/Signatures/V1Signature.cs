using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.Signatures;

/// <summary>
/// The SIG payload of IKEv1 signature authentication (RFC 2409 §5.1): HASH_I or HASH_R signed as it is, without hashing
/// it again. RSA (method 3): PKCS#1 v1.5 block type 1 around the bare hash, no DigestInfo (what strongSwan calls
/// EMSA_PKCS1_NULL). ECDSA (RFC 4754, methods 9/10/11): the hash signed directly, r||s each as long as the curve.
/// </summary>
public static class V1Signature
{
    /// <summary>The IKEv1 method a private key signs with, or null (with the reason) when it has none.</summary>
    public static V1AuthMethod? MethodFor(PrivateKey key, out string error)
    {
        error = "";
        switch (key.Kind)
        {
            case KeyKind.Rsa: return V1AuthMethod.RsaSignature;
            case KeyKind.Ecdsa when key.Bits == 256: return V1AuthMethod.EcdsaSha256;
            case KeyKind.Ecdsa when key.Bits == 384: return V1AuthMethod.EcdsaSha384;
            case KeyKind.Ecdsa when key.Bits == 521: return V1AuthMethod.EcdsaSha512;
            default:
                error = $"a {key} key has no IKEv1 signature method (RSA and ECDSA P-256/384/521 do)";
                return null;
        }
    }

    public static bool IsSignature(V1AuthMethod m) =>
        XAuth.XAuthMethod.Base(m) is V1AuthMethod.RsaSignature or V1AuthMethod.EcdsaSha256 or V1AuthMethod.EcdsaSha384 or V1AuthMethod.EcdsaSha512;

    public static byte[] Sign(PrivateKey key, ReadOnlySpan<byte> hash)
    {
        if (key.Kind == KeyKind.Rsa)
        {
            var rsa = new Pkcs1Encoding(new RsaBlindedEngine());
            rsa.Init(true, new ParametersWithRandom(key.Key, new SecureRandom()));
            return rsa.ProcessBlock(hash.ToArray(), 0, hash.Length);
        }
        if (key.Kind != KeyKind.Ecdsa) throw new ArgumentException($"{key} cannot sign IKEv1 messages", nameof(key));
        var ecdsa = new ECDsaSigner();
        ecdsa.Init(true, new ParametersWithRandom(key.Key, new SecureRandom()));
        var rs = ecdsa.GenerateSignature(hash.ToArray());
        int half = (key.Bits + 7) / 8;
        var sig = new byte[2 * half];
        rs[0].ToByteArrayUnsigned().CopyTo(sig, half - rs[0].ToByteArrayUnsigned().Length);
        rs[1].ToByteArrayUnsigned().CopyTo(sig, 2 * half - rs[1].ToByteArrayUnsigned().Length);
        return sig;
    }

    /// <summary>Verifies a SIG payload with the certificate's key; the key must be the kind the method names.</summary>
    public static SignatureVerification Verify(X509Certificate cert, V1AuthMethod method, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        AsymmetricKeyParameter key;
        try
        {
            key = cert.GetPublicKey();
        }
        catch (Exception e)
        {
            return SignatureVerification.Fail($"certificate '{cert.SubjectDN}' has an unusable public key: {CertificateLoader.OneLine(e.Message)}");
        }
        switch (key)
        {
            case RsaKeyParameters rsaKey when XAuth.XAuthMethod.Base(method) == V1AuthMethod.RsaSignature:
                byte[] recovered;
                try
                {
                    var rsa = new Pkcs1Encoding(new RsaEngine());
                    rsa.Init(false, rsaKey);
                    recovered = rsa.ProcessBlock(signature.ToArray(), 0, signature.Length);
                }
                catch (InvalidCipherTextException)
                {
                    return SignatureVerification.Fail("RSA signature does not decode (wrong key or tampered)");
                }
                catch (DataLengthException)
                {
                    return SignatureVerification.Fail($"RSA signature of {signature.Length} bytes does not fit the {rsaKey.Modulus.BitLength}-bit key");
                }
                return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(recovered, hash)
                    ? SignatureVerification.Success : SignatureVerification.Fail("RSA signature is over another hash");
            case ECPublicKeyParameters ec when method is V1AuthMethod.EcdsaSha256 or V1AuthMethod.EcdsaSha384 or V1AuthMethod.EcdsaSha512:
                int bits = ec.Parameters.Curve.FieldSize;
                int wanted = method switch { V1AuthMethod.EcdsaSha256 => 256, V1AuthMethod.EcdsaSha384 => 384, _ => 521 };
                if (bits != wanted) return SignatureVerification.Fail($"method {method} needs a P-{wanted} key, the certificate holds a {bits}-bit curve");
                int half = (bits + 7) / 8;
                if (signature.Length != 2 * half) return SignatureVerification.Fail($"ECDSA signature of {signature.Length} bytes, expected {2 * half}");
                var ecdsa = new ECDsaSigner();
                ecdsa.Init(false, ec);
                var r = new BigInteger(1, signature[..half].ToArray());
                var s = new BigInteger(1, signature[half..].ToArray());
                return ecdsa.VerifySignature(hash.ToArray(), r, s) ? SignatureVerification.Success : SignatureVerification.Fail("ECDSA signature does not verify");
            default:
                return SignatureVerification.Fail($"the certificate's {key.GetType().Name.Replace("Parameters", "", StringComparison.Ordinal)} does not fit authentication method {method}");
        }
    }
}
