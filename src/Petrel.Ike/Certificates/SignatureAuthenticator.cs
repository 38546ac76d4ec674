using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.X509;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Certificates;

/// <summary>
/// Signs and verifies the octets of IKEv2 signature authentication (RFC 7296 §2.15). Classic methods:
/// 1 = RSASSA-PKCS1-v1_5 with SHA-1 (RFC 7296 §3.8), 9/10/11 = ECDSA with SHA-256/384/512 on
/// P-256/384/521 and the signature as fixed-length r||s (RFC 4754 §7). Method 14 (RFC 7427 §3) carries
/// an AlgorithmIdentifier before the signature; ECDSA signatures there are DER Ecdsa-Sig-Value
/// (RFC 7427 §3 / RFC 3279), Ed25519 signs the octets themselves (RFC 8420).
/// </summary>
public static class SignatureAuthenticator
{
    /// <summary>
    /// What we sign with: RFC 7427 method 14 when the peer sent SIGNATURE_HASH_ALGORITHMS with a hash we
    /// can use (RFC 7427 §4), otherwise the classic method for the key (Ed25519 has none, so it stays 14).
    /// </summary>
    public static (AuthMethod Method, SignatureScheme Scheme) Choose(PrivateKey key, IReadOnlyCollection<HashAlgorithmId>? peerHashes, bool preferPss = false)
    {
        if (key.Kind == KeyKind.Ed25519)
            return (AuthMethod.DigitalSignature, SignatureScheme.Ed25519);
        if (peerHashes is { Count: > 0 })
        {
            HashAlgorithmId? hash = PreferredHash(key, peerHashes);
            if (hash is { } h)
            {
                var scheme = (key.Kind, h, preferPss) switch
                {
                    (KeyKind.Rsa, HashAlgorithmId.Sha2_256, false) => SignatureScheme.RsaPkcs1Sha256,
                    (KeyKind.Rsa, HashAlgorithmId.Sha2_384, false) => SignatureScheme.RsaPkcs1Sha384,
                    (KeyKind.Rsa, HashAlgorithmId.Sha2_512, false) => SignatureScheme.RsaPkcs1Sha512,
                    (KeyKind.Rsa, HashAlgorithmId.Sha2_256, true) => SignatureScheme.RsaPssSha256,
                    (KeyKind.Rsa, HashAlgorithmId.Sha2_384, true) => SignatureScheme.RsaPssSha384,
                    (KeyKind.Rsa, HashAlgorithmId.Sha2_512, true) => SignatureScheme.RsaPssSha512,
                    (_, HashAlgorithmId.Sha2_384, _) => SignatureScheme.EcdsaSha384,
                    (_, HashAlgorithmId.Sha2_512, _) => SignatureScheme.EcdsaSha512,
                    _ => SignatureScheme.EcdsaSha256,
                };
                return (AuthMethod.DigitalSignature, scheme);
            }
        }
        return key.Kind == KeyKind.Rsa
            ? (AuthMethod.RsaDigitalSignature, SignatureScheme.RsaPkcs1Sha1)
            : key.Bits switch
            {
                256 => (AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256),
                384 => (AuthMethod.EcdsaSha384P384, SignatureScheme.EcdsaSha384),
                _ => (AuthMethod.EcdsaSha512P521, SignatureScheme.EcdsaSha512),
            };
    }

    // ECDSA: the hash that matches the curve, as strongSwan prefers; RSA: SHA-256 first.
    private static HashAlgorithmId? PreferredHash(PrivateKey key, IReadOnlyCollection<HashAlgorithmId> peer)
    {
        HashAlgorithmId[] order = key.Kind == KeyKind.Ecdsa
            ? key.Bits switch
            {
                256 => [HashAlgorithmId.Sha2_256, HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_512],
                384 => [HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_256, HashAlgorithmId.Sha2_512],
                _ => [HashAlgorithmId.Sha2_512, HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_256],
            }
            : [HashAlgorithmId.Sha2_256, HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_512];
        foreach (var h in order)
            if (peer.Contains(h)) return h;
        return null;
    }

    /// <summary>The AUTH payload's Authentication Data for the method and scheme, signing the given octets.</summary>
    public static byte[] Sign(PrivateKey key, AuthMethod method, SignatureScheme scheme, ReadOnlySpan<byte> octets)
    {
        CheckKeyFits(key.Kind, scheme, key.Bits, method);
        bool der = method == AuthMethod.DigitalSignature;
        var signer = CreateSigner(scheme, der, CurveBytes(key.Bits));
        signer.Init(true, key.Key);
        signer.BlockUpdate(octets);
        byte[] signature = signer.GenerateSignature();
        return der ? DigitalSignatureAuthData.Build(AlgorithmIdentifierFor(scheme), signature) : signature;
    }

    /// <summary>Verifies a peer's AUTH payload against the public key of its (already validated) certificate.</summary>
    public static SignatureVerification Verify(X509Certificate peer, AuthMethod method, ReadOnlySpan<byte> octets, ReadOnlyMemory<byte> authData)
    {
        AsymmetricKeyParameter publicKey;
        try
        {
            publicKey = peer.GetPublicKey();
        }
        catch (Exception e)
        {
            return SignatureVerification.Fail($"certificate '{peer.SubjectDN}' has an unusable public key: {CertificateLoader.OneLine(e.Message)}");
        }
        var (kind, bits) = publicKey switch
        {
            RsaKeyParameters rsa => (KeyKind.Rsa, rsa.Modulus.BitLength),
            ECPublicKeyParameters ec => (KeyKind.Ecdsa, ec.Parameters.Curve.FieldSize),
            Ed25519PublicKeyParameters => (KeyKind.Ed25519, 256),
            _ => ((KeyKind?)null, 0),
        } is (KeyKind k, int b) ? (k, b) : (KeyKind.Rsa, -1);
        if (bits < 0)
            return SignatureVerification.Fail($"certificate '{peer.SubjectDN}' has an unsupported public key type");

        SignatureScheme scheme;
        ReadOnlyMemory<byte> signature = authData;
        ISigner signer;
        switch (method)
        {
            case AuthMethod.RsaDigitalSignature:
                scheme = SignatureScheme.RsaPkcs1Sha1;
                break;
            case AuthMethod.EcdsaSha256P256:
                scheme = SignatureScheme.EcdsaSha256;
                break;
            case AuthMethod.EcdsaSha384P384:
                scheme = SignatureScheme.EcdsaSha384;
                break;
            case AuthMethod.EcdsaSha512P521:
                scheme = SignatureScheme.EcdsaSha512;
                break;
            case AuthMethod.DigitalSignature:
                if (!DigitalSignatureAuthData.TryParse(authData, out var algId, out signature, out string parseError))
                    return SignatureVerification.Fail(parseError);
                if (!TryCreateVerifier(algId, out scheme, out signer!, out string algError))
                    return SignatureVerification.Fail(algError);
                if (KeyMismatch(kind, bits, scheme, method) is { } mismatch14)
                    return SignatureVerification.Fail($"certificate '{peer.SubjectDN}': {mismatch14}");
                return Finish(signer, publicKey, octets, signature.Span, peer, scheme, method);
            default:
                return SignatureVerification.Fail($"AUTH method {(byte)method} is not a signature method Petrel verifies");
        }
        if (KeyMismatch(kind, bits, scheme, method) is { } mismatch)
            return SignatureVerification.Fail($"certificate '{peer.SubjectDN}': {mismatch}");
        signer = CreateSigner(scheme, der: false, CurveBytes(bits));
        return Finish(signer, publicKey, octets, signature.Span, peer, scheme, method);
    }

    private static SignatureVerification Finish(ISigner signer, AsymmetricKeyParameter key, ReadOnlySpan<byte> octets, ReadOnlySpan<byte> signature,
        X509Certificate peer, SignatureScheme scheme, AuthMethod method)
    {
        bool ok;
        try
        {
            signer.Init(false, key);
            signer.BlockUpdate(octets);
            ok = signer.VerifySignature(signature.ToArray());
        }
        catch (Exception e) when (e is CryptoException or ArgumentException or InvalidOperationException or Asn1Exception or IOException)
        {
            ok = false;
        }
        return ok
            ? SignatureVerification.Success
            : SignatureVerification.Fail($"{scheme} signature (AUTH method {(byte)method}) does not verify with the key of '{peer.SubjectDN}'");
    }

    private static void CheckKeyFits(KeyKind kind, SignatureScheme scheme, int bits, AuthMethod method)
    {
        if (KeyMismatch(kind, bits, scheme, method) is { } reason)
            throw new CertificateException($"cannot sign: {reason}");
    }

    private static string? KeyMismatch(KeyKind kind, int bits, SignatureScheme scheme, AuthMethod method)
    {
        KeyKind needed = scheme switch
        {
            SignatureScheme.Ed25519 => KeyKind.Ed25519,
            SignatureScheme.EcdsaSha256 or SignatureScheme.EcdsaSha384 or SignatureScheme.EcdsaSha512 => KeyKind.Ecdsa,
            _ => KeyKind.Rsa,
        };
        if (needed != kind)
            return $"a {kind} key cannot make or check a {scheme} signature";
        // RFC 4754 §7: the classic ECDSA methods bind hash and curve.
        int curve = method switch { AuthMethod.EcdsaSha256P256 => 256, AuthMethod.EcdsaSha384P384 => 384, AuthMethod.EcdsaSha512P521 => 521, _ => 0 };
        if (curve != 0 && curve != bits)
            return $"AUTH method {(byte)method} needs a P-{curve} key, not {bits} bits";
        return method switch
        {
            AuthMethod.RsaDigitalSignature when scheme != SignatureScheme.RsaPkcs1Sha1 => "AUTH method 1 is RSA PKCS#1 v1.5 with SHA-1 only",
            AuthMethod.EcdsaSha256P256 or AuthMethod.EcdsaSha384P384 or AuthMethod.EcdsaSha512P521 when scheme != ClassicEcdsa(method) => $"AUTH method {(byte)method} fixes the hash",
            AuthMethod.RsaDigitalSignature or AuthMethod.EcdsaSha256P256 or AuthMethod.EcdsaSha384P384 or AuthMethod.EcdsaSha512P521 or AuthMethod.DigitalSignature => null,
            _ => $"AUTH method {(byte)method} is not a signature method",
        };
    }

    private static SignatureScheme ClassicEcdsa(AuthMethod m) => m switch
    {
        AuthMethod.EcdsaSha256P256 => SignatureScheme.EcdsaSha256,
        AuthMethod.EcdsaSha384P384 => SignatureScheme.EcdsaSha384,
        _ => SignatureScheme.EcdsaSha512,
    };

    private static int CurveBytes(int bits) => (bits + 7) / 8;

    private static IDigest Digest(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.RsaPkcs1Sha1 => new Sha1Digest(),
        SignatureScheme.RsaPkcs1Sha256 or SignatureScheme.RsaPssSha256 or SignatureScheme.EcdsaSha256 => new Sha256Digest(),
        SignatureScheme.RsaPkcs1Sha384 or SignatureScheme.RsaPssSha384 or SignatureScheme.EcdsaSha384 => new Sha384Digest(),
        _ => new Sha512Digest(),
    };

    private static ISigner CreateSigner(SignatureScheme scheme, bool der, int curveBytes)
    {
        switch (scheme)
        {
            case SignatureScheme.Ed25519:
                return new Ed25519Signer();
            case SignatureScheme.EcdsaSha256 or SignatureScheme.EcdsaSha384 or SignatureScheme.EcdsaSha512:
                // RFC 6979 deterministic k: no dependence on the quality of a per-signature random number.
                var digest = Digest(scheme);
                return new DsaDigestSigner(new ECDsaSigner(new HMacDsaKCalculator(Digest(scheme))), digest,
                    der ? StandardDsaEncoding.Instance : PlainDsaEncoding.Instance);
            case SignatureScheme.RsaPssSha256 or SignatureScheme.RsaPssSha384 or SignatureScheme.RsaPssSha512:
                var h = Digest(scheme);
                return new PssSigner(new RsaBlindedEngine(), h, Digest(scheme), h.GetDigestSize());
            default:
                return new RsaDigestSigner(Digest(scheme));
        }
    }

    /// <summary>The RFC 7427 AlgorithmIdentifier for a scheme (Appendix A; PSS with salt = hash length).</summary>
    public static byte[] AlgorithmIdentifierFor(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.RsaPkcs1Sha1 => new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha1WithRsaEncryption, DerNull.Instance).GetEncoded(Asn1Encodable.Der),
        SignatureScheme.RsaPkcs1Sha256 => DigitalSignatureAuthData.RsaPkcs1Sha256,
        SignatureScheme.RsaPkcs1Sha384 => DigitalSignatureAuthData.RsaPkcs1Sha384,
        SignatureScheme.RsaPkcs1Sha512 => DigitalSignatureAuthData.RsaPkcs1Sha512,
        SignatureScheme.RsaPssSha256 => DigitalSignatureAuthData.RsaPssSha256,
        SignatureScheme.RsaPssSha384 => PssIdentifier(NistObjectIdentifiers.IdSha384, 48),
        SignatureScheme.RsaPssSha512 => PssIdentifier(NistObjectIdentifiers.IdSha512, 64),
        SignatureScheme.EcdsaSha256 => DigitalSignatureAuthData.EcdsaSha256,
        SignatureScheme.EcdsaSha384 => DigitalSignatureAuthData.EcdsaSha384,
        SignatureScheme.EcdsaSha512 => DigitalSignatureAuthData.EcdsaSha512,
        _ => DigitalSignatureAuthData.Ed25519,
    };

    private static byte[] PssIdentifier(DerObjectIdentifier hash, int salt) =>
        new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsassaPss, new RsassaPssParameters(
            new AlgorithmIdentifier(hash, DerNull.Instance),
            new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, new AlgorithmIdentifier(hash, DerNull.Instance)),
            DerInteger.ValueOf(salt),
            DerInteger.ValueOf(1))).GetEncoded(Asn1Encodable.Der);

    /// <summary>Maps a peer's RFC 7427 AlgorithmIdentifier to a verifier; PSS parameters are honoured as sent.</summary>
    private static bool TryCreateVerifier(ReadOnlyMemory<byte> algorithmIdentifier, out SignatureScheme scheme, out ISigner? signer, out string error)
    {
        scheme = default;
        signer = null;
        error = "";
        AlgorithmIdentifier id;
        try
        {
            id = AlgorithmIdentifier.GetInstance(Asn1Object.FromByteArray(algorithmIdentifier.ToArray()));
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or Asn1Exception or InvalidOperationException)
        {
            error = "AUTH AlgorithmIdentifier is not valid DER";
            return false;
        }
        var oid = id.Algorithm;
        SignatureScheme? simple =
            oid.Equals(PkcsObjectIdentifiers.Sha1WithRsaEncryption) ? SignatureScheme.RsaPkcs1Sha1 :
            oid.Equals(PkcsObjectIdentifiers.Sha256WithRsaEncryption) ? SignatureScheme.RsaPkcs1Sha256 :
            oid.Equals(PkcsObjectIdentifiers.Sha384WithRsaEncryption) ? SignatureScheme.RsaPkcs1Sha384 :
            oid.Equals(PkcsObjectIdentifiers.Sha512WithRsaEncryption) ? SignatureScheme.RsaPkcs1Sha512 :
            oid.Equals(X9ObjectIdentifiers.ECDsaWithSha256) ? SignatureScheme.EcdsaSha256 :
            oid.Equals(X9ObjectIdentifiers.ECDsaWithSha384) ? SignatureScheme.EcdsaSha384 :
            oid.Equals(X9ObjectIdentifiers.ECDsaWithSha512) ? SignatureScheme.EcdsaSha512 :
            oid.Equals(EdECObjectIdentifiers.id_Ed25519) ? SignatureScheme.Ed25519 : null;
        if (simple is { } s)
        {
            scheme = s;
            signer = CreateSigner(s, der: true, 0);
            return true;
        }
        if (!oid.Equals(PkcsObjectIdentifiers.IdRsassaPss))
        {
            error = $"AUTH signature algorithm {oid.Id} is not supported";
            return false;
        }
        try
        {
            var p = RsassaPssParameters.GetInstance(id.Parameters);
            IDigest? hash = DigestFor(p.HashAlgorithm.Algorithm);
            var mgf = AlgorithmIdentifier.GetInstance(p.MaskGenAlgorithm.Parameters);
            IDigest? mgfHash = DigestFor(mgf.Algorithm);
            if (hash is null || mgfHash is null || !p.MaskGenAlgorithm.Algorithm.Equals(PkcsObjectIdentifiers.IdMgf1))
            {
                error = "AUTH RSASSA-PSS parameters name an unsupported hash or mask generation function";
                return false;
            }
            scheme = hash.GetDigestSize() switch { 32 => SignatureScheme.RsaPssSha256, 48 => SignatureScheme.RsaPssSha384, _ => SignatureScheme.RsaPssSha512 };
            signer = new PssSigner(new RsaBlindedEngine(), hash, mgfHash, p.SaltLength.IntValueExact);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or ArithmeticException or NullReferenceException)
        {
            error = "AUTH RSASSA-PSS parameters are malformed";
            return false;
        }
    }

    private static IDigest? DigestFor(DerObjectIdentifier oid) =>
        oid.Equals(NistObjectIdentifiers.IdSha256) ? new Sha256Digest() :
        oid.Equals(NistObjectIdentifiers.IdSha384) ? new Sha384Digest() :
        oid.Equals(NistObjectIdentifiers.IdSha512) ? new Sha512Digest() :
        oid.Equals(OiwObjectIdentifiers.IdSha1) ? new Sha1Digest() : null;
}
