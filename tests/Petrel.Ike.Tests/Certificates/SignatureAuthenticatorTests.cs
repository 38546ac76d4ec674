using System.Text;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Tests.Ike;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Certificates;

/// <summary>
/// IKEv2 signature AUTH for every key type and method: what is signed verifies, a changed octet or another key
/// of the same type does not, and a key that does not fit the method is refused with the reason.
/// </summary>
public class SignatureAuthenticatorTests
{
    private static readonly byte[] Octets = Encoding.ASCII.GetBytes("RealMessage1 | NonceRData | prf(SK_pi, IDi') stand-in, long enough to matter");

    public static TheoryData<AuthMethod, SignatureScheme, KeyKind, int> Cases => new()
    {
        { AuthMethod.RsaDigitalSignature, SignatureScheme.RsaPkcs1Sha1, KeyKind.Rsa, 2048 },
        { AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha1, KeyKind.Rsa, 2048 },
        { AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha256, KeyKind.Rsa, 2048 },
        { AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha384, KeyKind.Rsa, 2048 },
        { AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha512, KeyKind.Rsa, 2048 },
        { AuthMethod.DigitalSignature, SignatureScheme.RsaPssSha256, KeyKind.Rsa, 2048 },
        { AuthMethod.DigitalSignature, SignatureScheme.RsaPssSha384, KeyKind.Rsa, 2048 },
        { AuthMethod.DigitalSignature, SignatureScheme.RsaPssSha512, KeyKind.Rsa, 2048 },
        { AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256, KeyKind.Ecdsa, 256 },
        { AuthMethod.EcdsaSha384P384, SignatureScheme.EcdsaSha384, KeyKind.Ecdsa, 384 },
        { AuthMethod.EcdsaSha512P521, SignatureScheme.EcdsaSha512, KeyKind.Ecdsa, 521 },
        { AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha256, KeyKind.Ecdsa, 256 },
        { AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha384, KeyKind.Ecdsa, 384 },
        { AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha512, KeyKind.Ecdsa, 521 },
        { AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha256, KeyKind.Ecdsa, 384 },
        { AuthMethod.DigitalSignature, SignatureScheme.Ed25519, KeyKind.Ed25519, 256 },
    };

    private static X509Certificate CertFor(PrivateKey key) =>
        CertificateBuilder.SelfSignedCa(key, $"C=CH, O=Petrel Test, CN={key}", EnginePki.Now.AddDays(-1), EnginePki.Now.AddDays(30));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Signature_verifies_and_a_changed_octet_or_another_key_does_not(AuthMethod method, SignatureScheme scheme, KeyKind kind, int bits)
    {
        var key = EnginePki.Shared.Key(kind, bits, 1);
        var other = EnginePki.Shared.Key(kind, bits, 2);
        var cert = CertFor(key);

        byte[] auth = SignatureAuthenticator.Sign(key, method, scheme, Octets);

        var ok = SignatureAuthenticator.Verify(cert, method, Octets, auth);
        Assert.True(ok.Ok, ok.Reason);

        byte[] changed = (byte[])Octets.Clone();
        changed[17] ^= 0x20;
        var tampered = SignatureAuthenticator.Verify(cert, method, changed, auth);
        Assert.False(tampered.Ok);
        Assert.Contains("does not verify with the key of", tampered.Reason);

        byte[] flipped = (byte[])auth.Clone();
        flipped[^3] ^= 0x01;
        Assert.False(SignatureAuthenticator.Verify(cert, method, Octets, flipped).Ok);

        var wrongKey = SignatureAuthenticator.Verify(CertFor(other), method, Octets, auth);
        Assert.False(wrongKey.Ok);
        Assert.Contains($"{scheme} signature (AUTH method {(byte)method}) does not verify", wrongKey.Reason);
    }

    [Fact]
    public void Classic_ecdsa_signature_is_r_and_s_of_the_curve_size_and_rfc7427_carries_an_algorithm_identifier()
    {
        var p256 = EnginePki.Shared.Key(KeyKind.Ecdsa, 256, 1);
        // RFC 4754 §7: r || s, 32 octets each for P-256.
        Assert.Equal(64, SignatureAuthenticator.Sign(p256, AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256, Octets).Length);
        var auth14 = SignatureAuthenticator.Sign(p256, AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha256, Octets);
        Assert.True(DigitalSignatureAuthData.TryParse(auth14, out var algId, out var signature, out _));
        Assert.Equal(DigitalSignatureAuthData.EcdsaSha256, algId.ToArray());
        Assert.Equal(0x30, signature.Span[0]); // RFC 7427 §3: DER Ecdsa-Sig-Value
    }

    [Fact]
    public void Keys_that_do_not_fit_the_method_are_refused_with_the_reason()
    {
        var rsa = EnginePki.Shared.Key(KeyKind.Rsa, 2048, 1);
        var p384 = EnginePki.Shared.Key(KeyKind.Ecdsa, 384, 1);
        var ed = EnginePki.Shared.Key(KeyKind.Ed25519, 256, 1);

        Assert.Contains("needs a P-256 key", Assert.Throws<CertificateException>(() =>
            SignatureAuthenticator.Sign(p384, AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256, Octets)).Message);
        Assert.Contains("cannot make or check", Assert.Throws<CertificateException>(() =>
            SignatureAuthenticator.Sign(rsa, AuthMethod.DigitalSignature, SignatureScheme.Ed25519, Octets)).Message);
        Assert.Contains("SHA-1 only", Assert.Throws<CertificateException>(() =>
            SignatureAuthenticator.Sign(rsa, AuthMethod.RsaDigitalSignature, SignatureScheme.RsaPkcs1Sha256, Octets)).Message);

        // An Ed25519 signature checked against an RSA certificate, a P-384 signature sent as method 9, PSK as a signature.
        var edAuth = SignatureAuthenticator.Sign(ed, AuthMethod.DigitalSignature, SignatureScheme.Ed25519, Octets);
        Assert.Contains("cannot make or check", SignatureAuthenticator.Verify(CertFor(rsa), AuthMethod.DigitalSignature, Octets, edAuth).Reason);
        var p384Classic = SignatureAuthenticator.Sign(p384, AuthMethod.EcdsaSha384P384, SignatureScheme.EcdsaSha384, Octets);
        Assert.Contains("needs a P-256 key", SignatureAuthenticator.Verify(CertFor(p384), AuthMethod.EcdsaSha256P256, Octets, p384Classic).Reason);
        Assert.Contains("not a signature method", SignatureAuthenticator.Verify(CertFor(p384), AuthMethod.SharedKeyMessageIntegrityCode, Octets, p384Classic).Reason);
        // Method 14 whose AlgorithmIdentifier is garbage.
        Assert.False(SignatureAuthenticator.Verify(CertFor(p384), AuthMethod.DigitalSignature, Octets, new byte[] { 3, 0x30, 0x01, 0xff, 1, 2, 3 }).Ok);
        Assert.False(SignatureAuthenticator.Verify(CertFor(p384), AuthMethod.DigitalSignature, Octets, Array.Empty<byte>()).Ok);
    }

    [Fact]
    public void Choice_follows_the_peers_signature_hash_algorithms()
    {
        var rsa = EnginePki.Shared.Key(KeyKind.Rsa, 2048, 1);
        var p256 = EnginePki.Shared.Key(KeyKind.Ecdsa, 256, 1);
        var p384 = EnginePki.Shared.Key(KeyKind.Ecdsa, 384, 1);
        var p521 = EnginePki.Shared.Key(KeyKind.Ecdsa, 521, 1);
        var ed = EnginePki.Shared.Key(KeyKind.Ed25519, 256, 1);
        HashAlgorithmId[] all = [HashAlgorithmId.Sha2_256, HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_512, HashAlgorithmId.Identity];

        // No SIGNATURE_HASH_ALGORITHMS from the peer: the classic methods (RFC 7427 §4).
        Assert.Equal((AuthMethod.RsaDigitalSignature, SignatureScheme.RsaPkcs1Sha1), SignatureAuthenticator.Choose(rsa, null));
        Assert.Equal((AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256), SignatureAuthenticator.Choose(p256, null));
        Assert.Equal((AuthMethod.EcdsaSha384P384, SignatureScheme.EcdsaSha384), SignatureAuthenticator.Choose(p384, []));
        Assert.Equal((AuthMethod.EcdsaSha512P521, SignatureScheme.EcdsaSha512), SignatureAuthenticator.Choose(p521, null));
        // With them: method 14, the curve's own hash for ECDSA, SHA-256 first for RSA, PSS on request.
        Assert.Equal((AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha256), SignatureAuthenticator.Choose(rsa, all));
        Assert.Equal((AuthMethod.DigitalSignature, SignatureScheme.RsaPssSha256), SignatureAuthenticator.Choose(rsa, all, preferPss: true));
        Assert.Equal((AuthMethod.DigitalSignature, SignatureScheme.RsaPkcs1Sha512), SignatureAuthenticator.Choose(rsa, [HashAlgorithmId.Sha2_512]));
        Assert.Equal((AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha384), SignatureAuthenticator.Choose(p384, all));
        Assert.Equal((AuthMethod.DigitalSignature, SignatureScheme.EcdsaSha512), SignatureAuthenticator.Choose(p521, all));
        // Only SHA-1 offered: nothing usable in method 14, so the classic method.
        Assert.Equal((AuthMethod.EcdsaSha256P256, SignatureScheme.EcdsaSha256), SignatureAuthenticator.Choose(p256, [HashAlgorithmId.Sha1]));
        // Ed25519 exists only as method 14 (RFC 8420).
        Assert.Equal((AuthMethod.DigitalSignature, SignatureScheme.Ed25519), SignatureAuthenticator.Choose(ed, all));
    }
}
