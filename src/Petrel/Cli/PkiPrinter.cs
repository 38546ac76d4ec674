using System.Globalization;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Cli;

/// <summary>
/// <c>petrel pki list</c>: what a certificate, CRL or key file holds, in the labels strongSwan's
/// <c>pki --print</c> uses (subject, issuer, validity, serial, altNames, flags, pubkey), so both read alike.
/// </summary>
public static class PkiPrinter
{
    private static readonly (DerObjectIdentifier Oid, string Name)[] Purposes =
    [
        (KeyPurposeID.id_kp_serverAuth, "serverAuth"),
        (KeyPurposeID.id_kp_clientAuth, "clientAuth"),
        (CertificateBuilder.IkeIntermediate, "ikeIntermediate"),
        (KeyPurposeID.id_kp_ipsecIKE, "ipsecIKE"),
        (KeyPurposeID.id_kp_OCSPSigning, "ocspSigning"),
        (KeyPurposeID.id_kp_codeSigning, "codeSigning"),
        (KeyPurposeID.id_kp_emailProtection, "emailProtection"),
    ];

    public static void Certificate(X509Certificate cert, TextWriter w, DateTime now)
    {
        string state = now < cert.NotBefore ? "not valid yet" : now > cert.NotAfter ? "expired" : "ok";
        w.WriteLine($"  subject:   \"{PkiPrinter.Dn(cert.SubjectDN)}\"");
        w.WriteLine($"  issuer:    \"{PkiPrinter.Dn(cert.IssuerDN)}\"");
        w.WriteLine($"  validity:  not before {Time(cert.NotBefore)}, not after {Time(cert.NotAfter)} ({state})");
        w.WriteLine($"  serial:    {Serial(cert.SerialNumber)}");
        var sans = CertificateIdentity.SubjectAltNames(cert);
        if (sans.Count > 0)
            w.WriteLine($"  altNames:  {string.Join(", ", sans)}");
        w.WriteLine($"  flags:     {Flags(cert)}");
        // As strongSwan's pki --print: one line per cRLDistributionPoints URI.
        var crlUris = CrlDistributionPoints.Of(cert);
        for (int i = 0; i < crlUris.Count; i++)
            w.WriteLine(i == 0 ? $"  CRL URIs:  {crlUris[i]}" : $"           {crlUris[i]}");
        w.WriteLine($"  pubkey:    {PublicKey(cert.GetPublicKey())}");
    }

    public static void Crl(X509Crl crl, TextWriter w)
    {
        w.WriteLine($"  issuer:    \"{PkiPrinter.Dn(crl.IssuerDN)}\"");
        w.WriteLine($"  update:    this on {Time(crl.ThisUpdate)}, next on {(crl.NextUpdate is { } n ? Time(n) : "-")}");
        var revoked = crl.GetRevokedCertificates();
        w.WriteLine($"  revoked:   {revoked?.Count ?? 0} certificate(s)");
        if (revoked is null) return;
        foreach (var entry in revoked)
            w.WriteLine($"    {Serial(entry.SerialNumber)} on {Time(entry.RevocationDate)}");
    }

    public static string PublicKey(AsymmetricKeyParameter key) => key switch
    {
        RsaKeyParameters rsa => $"RSA {rsa.Modulus.BitLength} bits",
        ECPublicKeyParameters ec => $"ECDSA {ec.Parameters.Curve.FieldSize} bits",
        Ed25519PublicKeyParameters => "ED25519 256 bits",
        _ => key.GetType().Name,
    };

    /// <summary>Serial numbers as strongSwan prints them: hex octets separated by ':'.</summary>
    public static string Serial(Org.BouncyCastle.Math.BigInteger serial) =>
        string.Join(':', serial.ToByteArrayUnsigned().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>A DN as strongSwan prints it ("C=CH, O=Petrel, CN=moon"), not BouncyCastle's "C=CH,O=Petrel,CN=moon".</summary>
    public static string Dn(X509Name name) => new Identity(IdType.DerAsn1Dn, name.GetEncoded(Asn1Encodable.Der)).ToString();

    public static string Time(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Flags(X509Certificate cert)
    {
        var flags = new List<string>();
        int pathLen = cert.GetBasicConstraints();
        if (pathLen >= 0)
            flags.Add(pathLen == int.MaxValue ? "CA" : $"CA pathlen {pathLen}");
        if (cert.SubjectDN.Equivalent(cert.IssuerDN))
            flags.Add("self-signed");
        if (cert.GetKeyUsage() is { } usage)
        {
            if (usage[0]) flags.Add("digitalSignature");
            if (usage[2]) flags.Add("keyEncipherment");
            if (usage[5]) flags.Add("keyCertSign");
            if (usage[6]) flags.Add("CRLSign");
        }
        foreach (var oid in ExtendedKeyUsages(cert))
        {
            int i = Array.FindIndex(Purposes, p => p.Oid.Equals(oid));
            flags.Add(i >= 0 ? Purposes[i].Name : oid.Id);
        }
        return flags.Count == 0 ? "(none)" : string.Join(' ', flags);
    }

    private static IEnumerable<DerObjectIdentifier> ExtendedKeyUsages(X509Certificate cert)
    {
        var ext = cert.GetExtensionValue(X509Extensions.ExtendedKeyUsage);
        if (ext is null) return [];
        try
        {
            return ExtendedKeyUsage.GetInstance(X509ExtensionUtilities.FromExtensionValue(ext)).GetAllUsages();
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException)
        {
            return [];
        }
    }
}
