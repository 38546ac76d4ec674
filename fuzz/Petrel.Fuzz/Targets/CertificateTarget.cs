using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// Certificate and CRL parsing: the body of a peer's CERT payload, a fetched CRL or a file (DER or PEM). The first
/// byte picks certificate (even) or CRL (odd); a parsed certificate's identities and CRL distribution points are
/// read as IKE_AUTH and the revocation checker read them. <see cref="CertificateException"/> is the parser's refusal.
/// </summary>
public sealed class CertificateTarget : IFuzzTarget
{
    private static readonly Identity Pattern = Identity.Parse("CN=*, O=Petrel");

    public string Name => "cert";

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1)
            return;
        var body = data[1..].ToArray();
        try
        {
            if ((data[0] & 1) == 0)
            {
                foreach (var cert in CertificateLoader.ParseCertificates(body, "fuzz"))
                {
                    _ = CertificateIdentity.Subject(cert).ToString();
                    foreach (var san in CertificateIdentity.SubjectAltNames(cert))
                        _ = san.ToString();
                    _ = CertificateIdentity.Matches(Pattern, cert);
                    _ = CrlDistributionPoints.Of(cert);
                }
            }
            else
            {
                var crl = CertificateLoader.ParseCrl(body, "fuzz");
                _ = crl.IssuerDN?.ToString();
            }
        }
        catch (CertificateException)
        {
        }
    }
}
