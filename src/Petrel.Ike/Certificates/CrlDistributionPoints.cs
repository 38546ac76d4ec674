using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Petrel.Ike.Certificates;

/// <summary>The URIs of a certificate's cRLDistributionPoints extension (RFC 5280 §4.2.1.13), and building one.</summary>
public static class CrlDistributionPoints
{
    /// <summary>
    /// Every uniformResourceIdentifier of every distribution point's fullName, in order. Relative names and other
    /// general names are skipped; a malformed extension yields none (it cannot point anywhere).
    /// </summary>
    public static IReadOnlyList<string> Of(X509Certificate cert)
    {
        var value = cert.GetExtensionValue(X509Extensions.CrlDistributionPoints);
        if (value is null) return [];
        var uris = new List<string>();
        try
        {
            var points = CrlDistPoint.GetInstance(X509ExtensionUtilities.FromExtensionValue(value));
            foreach (var point in points.GetDistributionPoints())
            {
                var name = point.DistributionPointName;
                if (name is null || name.Type != DistributionPointName.FullName) continue;
                foreach (var general in GeneralNames.GetInstance(name.Name).GetNames())
                    if (general.TagNo == GeneralName.UniformResourceIdentifier)
                        uris.Add(DerIA5String.GetInstance(general.Name).GetString());
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or InvalidOperationException or IOException or FormatException)
        {
            return [];
        }
        return uris;
    }

    /// <summary>The extension value for the given URIs: one distribution point per URI, as strongSwan's pki --crl writes it.</summary>
    public static CrlDistPoint Create(IEnumerable<string> uris) =>
        new([.. uris.Select(u => new DistributionPoint(
            new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, u))), null, null))]);
}
