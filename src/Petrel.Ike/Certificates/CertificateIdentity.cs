using System.Net;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Certificates;

/// <summary>
/// The identities a certificate vouches for, and whether a configured <c>remote.id</c> names it: as strongSwan
/// does, a DN must match the full subject (with "*" RDN values as wildcards) or a directoryName subjectAltName;
/// an FQDN, e-mail or IP identity must match a dNSName, rfc822Name or iPAddress subjectAltName; a key id
/// matches the subjectKeyIdentifier.
/// </summary>
public static class CertificateIdentity
{
    /// <summary>The subject DN as an ID_DER_ASN1_DN identity: what a peer without a configured id is known as.</summary>
    public static Identity Subject(X509Certificate cert) =>
        new(IdType.DerAsn1Dn, cert.SubjectDN.GetEncoded(Asn1Encodable.Der));

    /// <summary>The subjectAltNames Petrel understands (dNSName, rfc822Name, iPAddress, directoryName), in certificate order.</summary>
    public static IReadOnlyList<Identity> SubjectAltNames(X509Certificate cert)
    {
        var result = new List<Identity>();
        var ext = cert.GetExtensionValue(X509Extensions.SubjectAlternativeName);
        if (ext is null) return result;
        GeneralNames names;
        try
        {
            names = GeneralNames.GetInstance(X509ExtensionUtilities.FromExtensionValue(ext));
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or Asn1Exception)
        {
            return result;
        }
        foreach (var name in names.GetNames())
        {
            switch (name.TagNo)
            {
                case GeneralName.DnsName:
                    result.Add(new Identity(IdType.Fqdn, Encoding.UTF8.GetBytes(DerIA5String.GetInstance(name.Name).GetString())));
                    break;
                case GeneralName.Rfc822Name:
                    result.Add(new Identity(IdType.Rfc822Address, Encoding.UTF8.GetBytes(DerIA5String.GetInstance(name.Name).GetString())));
                    break;
                case GeneralName.IPAddress:
                    byte[] ip = Asn1OctetString.GetInstance(name.Name).GetOctets();
                    if (ip.Length is 4 or 16)
                        result.Add(Identity.FromAddress(new IPAddress(ip)));
                    break;
                case GeneralName.DirectoryName:
                    result.Add(new Identity(IdType.DerAsn1Dn, X509Name.GetInstance(name.Name).GetEncoded(Asn1Encodable.Der)));
                    break;
            }
        }
        return result;
    }

    /// <summary>Whether the certificate carries the identity a pattern (configured remote.id, possibly with wildcards) names.</summary>
    public static bool Matches(Identity pattern, X509Certificate cert)
    {
        if (pattern.IsAny) return true;
        if (pattern.Type == IdType.DerAsn1Dn && pattern.Matches(Subject(cert)))
            return true;
        if (pattern.Type == IdType.KeyId)
        {
            var ski = cert.GetExtensionValue(X509Extensions.SubjectKeyIdentifier);
            if (ski is not null)
            {
                byte[] keyId = SubjectKeyIdentifier.GetInstance(X509ExtensionUtilities.FromExtensionValue(ski)).GetKeyIdentifier();
                if (pattern.Data.Span.SequenceEqual(keyId)) return true;
            }
        }
        foreach (var san in SubjectAltNames(cert))
            if (pattern.Matches(san))
                return true;
        return false;
    }

    /// <summary>A one-line reason for a mismatch, listing what the certificate does carry.</summary>
    public static string MismatchReason(Identity pattern, X509Certificate cert)
    {
        var sans = SubjectAltNames(cert);
        string alt = sans.Count == 0 ? "no subjectAltNames" : "subjectAltNames " + string.Join(", ", sans.Select(s => $"'{s}'"));
        return $"identity '{pattern}' does not match the certificate's subject '{Subject(cert)}' nor its {alt}";
    }
}
