using Org.BouncyCastle.X509;

namespace Petrel.Ike.Certificates;

/// <summary>
/// Which certificate issued which (RFC 5280 §6.1: the issuer's subject names the certificate's issuer and
/// its key verifies the signature). One rule for chain validation, for choosing our certificate by the
/// peer's CERTREQ and for sending our intermediates.
/// </summary>
public static class IssuerSearch
{
    /// <summary>True when <paramref name="issuer"/>'s subject is <paramref name="cert"/>'s issuer and its key verifies the signature.</summary>
    public static bool Issued(X509Certificate issuer, X509Certificate cert, SignatureBudget? budget = null) =>
        issuer.SubjectDN.Equivalent(cert.IssuerDN) && (budget is null || budget.TrySpend()) && SignedBy(cert, issuer);

    /// <summary>The first certificate of the pool that issued <paramref name="cert"/> (never <paramref name="cert"/> itself, nor one of <paramref name="exclude"/>).</summary>
    /// <param name="budget">When given, each signature check takes one from it; once it is spent no candidate qualifies.</param>
    public static X509Certificate? FindIssuer(X509Certificate cert, IEnumerable<X509Certificate> pool, ICollection<X509Certificate>? exclude = null,
        SignatureBudget? budget = null)
    {
        foreach (var candidate in pool)
        {
            if (candidate.Equals(cert) || (exclude is not null && exclude.Contains(candidate))) continue;
            if (Issued(candidate, cert, budget)) return candidate;
        }
        return null;
    }

    private static bool SignedBy(X509Certificate cert, X509Certificate issuer)
    {
        try
        {
            return cert.IsSignatureValid(issuer.GetPublicKey());
        }
        catch (Exception)
        {
            // Unsupported or malformed signature: not its issuer (validation reports the missing link).
            return false;
        }
    }
}
