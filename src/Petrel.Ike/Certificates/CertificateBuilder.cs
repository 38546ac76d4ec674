using System.Net;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Petrel.Ike.Certificates;

/// <summary>
/// Makes keys, CA and end-entity certificates and CRLs the way a strongSwan site expects them (what
/// <c>petrel pki</c> writes, and what tests build chains from): RFC 5280 profiles with subject/authority
/// key identifiers, CA basicConstraints and keyUsage, and for gateways and clients the subjectAltNames and
/// the extended key usages serverAuth, clientAuth and IKE intermediate (RFC 4945 §5.1.3.12).
/// </summary>
public static class CertificateBuilder
{
    /// <summary>id-kp-ipsecIKE... strongSwan's "ikeIntermediate" (1.3.6.1.5.5.8.2.2), which Windows and macOS clients look for.</summary>
    public static readonly DerObjectIdentifier IkeIntermediate = new("1.3.6.1.5.5.8.2.2");

    private static readonly SecureRandom Random = new();

    /// <summary>RSA (bits, default 3072), ECDSA on P-256/384/521 (bits), or Ed25519.</summary>
    public static PrivateKey GenerateKey(KeyKind kind, int bits = 0)
    {
        IAsymmetricCipherKeyPairGenerator generator;
        switch (kind)
        {
            case KeyKind.Rsa:
                if (bits == 0) bits = 3072;
                if (bits < 2048 || bits > 8192)
                    throw new CertificateException($"RSA key size {bits} is not between 2048 and 8192 bits");
                generator = new RsaKeyPairGenerator();
                generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), Random, bits, 100));
                break;
            case KeyKind.Ecdsa:
                if (bits == 0) bits = 256;
                var curve = bits switch
                {
                    256 => SecObjectIdentifiers.SecP256r1,
                    384 => SecObjectIdentifiers.SecP384r1,
                    521 => SecObjectIdentifiers.SecP521r1,
                    _ => throw new CertificateException($"ECDSA key size {bits} is not one of 256, 384, 521"),
                };
                generator = new ECKeyPairGenerator();
                generator.Init(new ECKeyGenerationParameters(curve, Random));
                break;
            default:
                generator = new Ed25519KeyPairGenerator();
                generator.Init(new Ed25519KeyGenerationParameters(Random));
                break;
        }
        return new PrivateKey(generator.GenerateKeyPair().Private);
    }

    /// <summary>A self-signed CA certificate (RFC 5280 §4.2.1.9 cA, §4.2.1.3 keyCertSign and cRLSign).</summary>
    public static X509Certificate SelfSignedCa(PrivateKey key, string subjectDn, DateTime notBefore, DateTime notAfter, int? pathLength = null)
    {
        var subject = ParseDn(subjectDn);
        var gen = NewGenerator(subject, subject, key.PublicKey, notBefore, notAfter);
        gen.AddExtension(X509Extensions.BasicConstraints, true, pathLength is { } p ? new BasicConstraints(p) : new BasicConstraints(true));
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(key.PublicKey));
        return gen.Generate(SignatureFactory(key));
    }

    /// <summary>
    /// A certificate for a subject key, signed by a CA. An intermediate CA (isCa) gets CA constraints; a gateway
    /// or client gets digitalSignature (plus keyEncipherment for RSA), the subjectAltNames (DNS names, e-mail
    /// addresses, IP addresses as given) and serverAuth, clientAuth and (unless <paramref name="ikeIntermediate"/> is
    /// false) ikeIntermediate. <paramref name="crlUris"/> become its cRLDistributionPoints (RFC 5280 §4.2.1.13).
    /// </summary>
    public static X509Certificate Issue(AsymmetricKeyParameter subjectPublicKey, string subjectDn, IEnumerable<string> subjectAltNames,
        X509Certificate issuer, PrivateKey issuerKey, DateTime notBefore, DateTime notAfter, bool isCa = false, bool ikeIntermediate = true,
        IEnumerable<string>? crlUris = null)
    {
        if (!issuerKey.PublicKey.Equals(issuer.GetPublicKey()))
            throw new CertificateException($"the CA key does not belong to the CA certificate '{issuer.SubjectDN}'");
        var gen = NewGenerator(ParseDn(subjectDn), issuer.SubjectDN, subjectPublicKey, notBefore, notAfter);
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(issuer.GetPublicKey()));
        if (isCa)
        {
            gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
            gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        }
        else
        {
            gen.AddExtension(X509Extensions.BasicConstraints, false, new BasicConstraints(false));
            int usage = KeyUsage.DigitalSignature | (subjectPublicKey is RsaKeyParameters ? KeyUsage.KeyEncipherment : 0);
            gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(usage));
            gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(ikeIntermediate
                ? [KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth, IkeIntermediate]
                : [KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth]));
        }
        var sans = subjectAltNames.Select(ParseSan).ToArray();
        if (sans.Length > 0)
            gen.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(sans));
        string[] cdps = [.. crlUris ?? []];
        if (cdps.Length > 0)
            gen.AddExtension(X509Extensions.CrlDistributionPoints, false, CrlDistributionPoints.Create(cdps));
        return gen.Generate(SignatureFactory(issuerKey));
    }

    /// <summary>A CRL (RFC 5280 §5) listing serials with their revocation time and CRLReason.</summary>
    public static X509Crl Crl(X509Certificate ca, PrivateKey caKey, IEnumerable<(BigInteger Serial, DateTime RevokedAt, int Reason)> revoked,
        DateTime thisUpdate, DateTime nextUpdate, long crlNumber = 1)
    {
        var gen = new X509V2CrlGenerator();
        gen.SetIssuerDN(ca.SubjectDN);
        gen.SetThisUpdate(thisUpdate);
        gen.SetNextUpdate(nextUpdate);
        foreach (var (serial, at, reason) in revoked)
            gen.AddCrlEntry(serial, at, reason);
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(ca.GetPublicKey()));
        gen.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.ValueOf(crlNumber)));
        return gen.Generate(SignatureFactory(caKey));
    }

    /// <summary>Unencrypted PKCS#8 (RFC 5208) DER.</summary>
    public static byte[] PrivateKeyDer(PrivateKey key) => PrivateKeyInfoFactory.CreatePrivateKeyInfo(key.Key).GetEncoded(Asn1Encodable.Der);

    /// <summary>
    /// Encrypted PKCS#8 (RFC 5208 §6) with PBES2 (RFC 8018 §6.2): PBKDF2-HMAC-SHA256 and AES-256-CBC, the
    /// scheme OpenSSL 3 writes by default, so openssl and strongSwan open it with the same passphrase.
    /// </summary>
    public static byte[] EncryptedPrivateKeyDer(PrivateKey key, string passphrase, int iterations = 100_000)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] iv = RandomNumberGenerator.GetBytes(16);
        byte[] aesKey = Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, iterations, HashAlgorithmName.SHA256, 32);
        byte[] encrypted;
        using (var aes = Aes.Create())
        {
            aes.Key = aesKey;
            encrypted = aes.EncryptCbc(PrivateKeyDer(key), iv, PaddingMode.PKCS7);
        }
        var kdf = new KeyDerivationFunc(PkcsObjectIdentifiers.IdPbkdf2,
            new Pbkdf2Params(salt, iterations, new AlgorithmIdentifier(PkcsObjectIdentifiers.IdHmacWithSha256, DerNull.Instance)));
        var scheme = new EncryptionScheme(NistObjectIdentifiers.IdAes256Cbc, new DerOctetString(iv));
        var algorithm = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbeS2, new PbeS2Parameters(kdf, scheme));
        return new EncryptedPrivateKeyInfo(algorithm, encrypted).GetEncoded(Asn1Encodable.Der);
    }

    public static string PrivateKeyPem(PrivateKey key, string? passphrase = null) => passphrase is null
        ? PemBlock.Encode("PRIVATE KEY", PrivateKeyDer(key))
        : PemBlock.Encode("ENCRYPTED PRIVATE KEY", EncryptedPrivateKeyDer(key, passphrase));

    public static string CertificatePem(X509Certificate cert) => PemBlock.Encode("CERTIFICATE", cert.GetEncoded());

    public static string CrlPem(X509Crl crl) => PemBlock.Encode("X509 CRL", crl.GetEncoded());

    /// <summary>
    /// A DN as strongSwan writes it ("C=CH, O=strongSwan, CN=moon"), kept in the given order.
    /// </summary>
    public static X509Name ParseDn(string dn)
    {
        try
        {
            var name = new X509Name(dn);
            if (name.GetOidList().Count == 0) throw new ArgumentException("no RDNs");
            return name;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new CertificateException($"'{dn}' is not a distinguished name like \"C=CH, O=Petrel, CN=moon\" ({CertificateLoader.OneLine(e.Message)})");
        }
    }

    /// <summary>A SAN: an IP address, an e-mail address (contains '@'), else a DNS name; "dns:", "email:", "ip:" prefixes force the type.</summary>
    public static GeneralName ParseSan(string text)
    {
        string s = text.Trim();
        int colon = s.IndexOf(':');
        string prefix = colon > 0 ? s[..colon].ToLowerInvariant() : "";
        string rest = colon > 0 ? s[(colon + 1)..] : s;
        switch (prefix)
        {
            case "dns": return new GeneralName(GeneralName.DnsName, rest);
            case "email": return new GeneralName(GeneralName.Rfc822Name, rest);
            case "ip":
                return IPAddress.TryParse(rest, out var a)
                    ? new GeneralName(GeneralName.IPAddress, new DerOctetString(a.GetAddressBytes()))
                    : throw new CertificateException($"subjectAltName '{text}' is not an IP address");
        }
        if (IPAddress.TryParse(s, out var address) && (s.Contains(':') || s.Count(c => c == '.') == 3))
            return new GeneralName(GeneralName.IPAddress, new DerOctetString(address.GetAddressBytes()));
        if (s.Length == 0 || s.Any(char.IsWhiteSpace))
            throw new CertificateException($"subjectAltName '{text}' is not a DNS name, e-mail or IP address");
        return s.Contains('@') ? new GeneralName(GeneralName.Rfc822Name, s) : new GeneralName(GeneralName.DnsName, s);
    }

    private static X509V3CertificateGenerator NewGenerator(X509Name subject, X509Name issuer, AsymmetricKeyParameter publicKey, DateTime notBefore, DateTime notAfter)
    {
        if (notAfter <= notBefore)
            throw new CertificateException("the certificate's lifetime must be positive");
        var gen = new X509V3CertificateGenerator();
        // RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random octets with the top bit clear.
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
        gen.SetSerialNumber(new BigInteger(1, serial));
        gen.SetIssuerDN(issuer);
        gen.SetSubjectDN(subject);
        gen.SetNotBefore(notBefore);
        gen.SetNotAfter(notAfter);
        gen.SetPublicKey(publicKey);
        gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        return gen;
    }

    private static Asn1SignatureFactory SignatureFactory(PrivateKey key) => new(key.Kind switch
    {
        KeyKind.Rsa => "SHA256WITHRSA",
        KeyKind.Ecdsa => key.Bits switch { 256 => "SHA256WITHECDSA", 384 => "SHA384WITHECDSA", _ => "SHA512WITHECDSA" },
        _ => "Ed25519",
    }, key.Key, Random);
}
