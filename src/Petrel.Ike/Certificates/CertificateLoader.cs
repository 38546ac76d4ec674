using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Petrel.Ike.Certificates;

/// <summary>
/// Reads certificates, CRLs and private keys from PEM or DER files. Every failure is a
/// <see cref="CertificateException"/> whose one-line message names the source and the problem; no
/// parser exception escapes.
/// </summary>
public static class CertificateLoader
{
    public static X509Certificate LoadCertificate(string path) => LoadCertificates(path)[0];

    /// <summary>All certificates of a file: one DER certificate, or every CERTIFICATE block of a PEM file.</summary>
    public static IReadOnlyList<X509Certificate> LoadCertificates(string path) => ParseCertificates(ReadFile(path, "certificate"), path);

    public static IReadOnlyList<X509Certificate> ParseCertificates(byte[] data, string source)
    {
        if (!PemBlock.LooksLikePem(data))
            return [ParseCertificateDer(data, source)];
        var blocks = ParsePem(data, source);
        var certs = new List<X509Certificate>();
        foreach (var block in blocks)
            if (block.Label is "CERTIFICATE" or "X509 CERTIFICATE" or "TRUSTED CERTIFICATE")
                certs.Add(ParseCertificateDer(block.Der, source));
        if (certs.Count == 0)
            throw new CertificateException($"{source}: no CERTIFICATE in PEM (found {string.Join(", ", blocks.Select(b => b.Label))})");
        return certs;
    }

    public static X509Certificate ParseCertificateDer(byte[] der, string source)
    {
        try
        {
            var structure = X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der));
            var cert = new X509Certificate(structure);
            // Touch the public key so that an unsupported or broken SubjectPublicKeyInfo fails here, not mid-IKE_AUTH.
            _ = cert.GetPublicKey();
            return cert;
        }
        catch (Exception e) when (e is not CertificateException)
        {
            throw new CertificateException($"{source}: not a valid X.509 certificate (malformed DER: {OneLine(e.Message)})", e);
        }
    }

    public static X509Crl LoadCrl(string path) => ParseCrl(ReadFile(path, "CRL"), path);

    /// <summary>A CRL in PEM ("X509 CRL") or DER, e.g. a file or the body of a fetch; source names it in errors.</summary>
    public static X509Crl ParseCrl(byte[] data, string source)
    {
        byte[] der = data;
        if (PemBlock.LooksLikePem(data))
        {
            var block = ParsePem(data, source).FirstOrDefault(b => b.Label == "X509 CRL")
                ?? throw new CertificateException($"{source}: no X509 CRL block in PEM");
            der = block.Der;
        }
        try
        {
            return new X509Crl(CertificateList.GetInstance(Asn1Object.FromByteArray(der)));
        }
        catch (Exception e) when (e is not CertificateException)
        {
            throw new CertificateException($"{source}: not a valid X.509 CRL (malformed DER: {OneLine(e.Message)})", e);
        }
    }

    public static PrivateKey LoadPrivateKey(string path, string? passphrase = null) =>
        ParsePrivateKey(ReadFile(path, "private key"), path, passphrase);

    /// <summary>
    /// A private key in PEM ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")
    /// or DER (PKCS#8, encrypted PKCS#8, PKCS#1 RSAPrivateKey, SEC1 ECPrivateKey).
    /// </summary>
    public static PrivateKey ParsePrivateKey(byte[] data, string source, string? passphrase = null)
    {
        if (PemBlock.LooksLikePem(data))
        {
            var blocks = ParsePem(data, source);
            var block = blocks.FirstOrDefault(b => b.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                ?? throw new CertificateException($"{source}: no PRIVATE KEY in PEM (found {string.Join(", ", blocks.Select(b => b.Label))})");
            if (block.HasHeaders)
                throw new CertificateException($"{source}: legacy OpenSSL-encrypted PEM keys are not supported; convert with 'openssl pkcs8 -topk8'");
            return block.Label switch
            {
                "ENCRYPTED PRIVATE KEY" => DecryptPkcs8(block.Der, source, passphrase),
                "PRIVATE KEY" => Wrap(() => PrivateKeyFactory.CreateKey(block.Der), source, "PKCS#8"),
                "RSA PRIVATE KEY" => Wrap(() => RsaFromPkcs1(block.Der), source, "PKCS#1 RSA"),
                "EC PRIVATE KEY" => Wrap(() => EcFromSec1(block.Der), source, "SEC1 EC"),
                _ => throw new CertificateException($"{source}: unsupported key block '{block.Label}'"),
            };
        }

        Asn1Sequence seq;
        try
        {
            seq = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(data));
        }
        catch (Exception e)
        {
            throw new CertificateException($"{source}: not a private key (malformed DER: {OneLine(e.Message)})", e);
        }
        // Tell the DER forms apart by shape: EncryptedPrivateKeyInfo is {AlgorithmIdentifier, OCTET STRING};
        // PrivateKeyInfo starts with INTEGER then a SEQUENCE; RSAPrivateKey has nine INTEGERs; ECPrivateKey
        // is {INTEGER 1, OCTET STRING, ...}.
        if (seq.Count == 2 && seq[0] is Asn1Sequence && seq[1] is Asn1OctetString)
            return DecryptPkcs8(data, source, passphrase);
        if (seq.Count >= 3 && seq[1] is Asn1Sequence)
            return Wrap(() => PrivateKeyFactory.CreateKey(data), source, "PKCS#8");
        if (seq.Count >= 9)
            return Wrap(() => RsaFromPkcs1(data), source, "PKCS#1 RSA");
        if (seq.Count >= 2 && seq[1] is Asn1OctetString)
            return Wrap(() => EcFromSec1(data), source, "SEC1 EC");
        throw new CertificateException($"{source}: DER is not a PKCS#8, PKCS#1 or SEC1 private key");
    }

    private static PrivateKey DecryptPkcs8(byte[] der, string source, string? passphrase)
    {
        if (passphrase is null)
            throw new CertificateException($"{source}: the private key is encrypted and no passphrase is configured for it");
        AsymmetricKeyParameter key;
        try
        {
            key = PrivateKeyFactory.DecryptKey(passphrase.ToCharArray(), der);
        }
        catch (Exception e) when (e is InvalidCipherTextException or DataLengthException or ArgumentException or IOException or InvalidCastException or Asn1Exception or InvalidOperationException)
        {
            // A wrong passphrase shows as bad padding or, rarely, as garbage that does not parse.
            throw new CertificateException($"{source}: wrong passphrase for the encrypted private key (or the key is corrupt)", e);
        }
        catch (Exception e) when (e is SecurityUtilityException or NotSupportedException)
        {
            throw new CertificateException($"{source}: unsupported private key encryption ({OneLine(e.Message)})", e);
        }
        return Wrap(() => key, source, "PKCS#8");
    }

    private static AsymmetricKeyParameter RsaFromPkcs1(byte[] der)
    {
        var rsa = RsaPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(der));
        return new RsaPrivateCrtKeyParameters(rsa.Modulus, rsa.PublicExponent, rsa.PrivateExponent, rsa.Prime1, rsa.Prime2, rsa.Exponent1, rsa.Exponent2, rsa.Coefficient);
    }

    private static AsymmetricKeyParameter EcFromSec1(byte[] der)
    {
        var ec = ECPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(der));
        var parameters = ec.Parameters ?? throw new FormatException("EC key without named curve parameters");
        var info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, parameters), ec);
        return PrivateKeyFactory.CreateKey(info);
    }

    private static PrivateKey Wrap(Func<AsymmetricKeyParameter> create, string source, string form)
    {
        try
        {
            return new PrivateKey(create());
        }
        catch (CertificateException e)
        {
            throw new CertificateException($"{source}: {e.Message}", e);
        }
        catch (Exception e)
        {
            throw new CertificateException($"{source}: not a valid {form} private key ({OneLine(e.Message)})", e);
        }
    }

    private static List<PemBlock> ParsePem(byte[] data, string source) =>
        PemBlock.TryParseAll(data, out var blocks, out string error) ? blocks : throw new CertificateException($"{source}: malformed PEM: {error}");

    private static byte[] ReadFile(string path, string what)
    {
        try
        {
            byte[] data = File.ReadAllBytes(path);
            if (data.Length == 0)
                throw new CertificateException($"{path}: {what} file is empty");
            return data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            string why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => OneLine(e.Message),
            };
            throw new CertificateException($"{path}: cannot read {what} file: {why}", e);
        }
    }

    internal static string OneLine(string s) =>
        string.Join(' ', s.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
