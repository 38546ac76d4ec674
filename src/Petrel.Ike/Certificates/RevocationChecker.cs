using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Petrel.Ike.Config;

namespace Petrel.Ike.Certificates;

/// <summary>
/// Revocation of one link of a chain (certificate, issuer) as strongSwan's revocation plugin checks it with CRLs: the
/// CRLs loaded from files first; without a current one, the CRLs of the certificate's cRLDistributionPoints URIs and of
/// the issuing CA's <c>authorities.NAME.crl_uris</c>, from the <see cref="CrlCache"/> or fetched through
/// <paramref name="startFetch"/> (which returns at once; the result is <see cref="RevocationStatus.Pending"/> until the
/// fetch completes). A CRL counts only when its issuer is the certificate's issuer and its signature verifies with the
/// issuer's key (RFC 5280 §6.3.3 (f)).
/// </summary>
public sealed class RevocationChecker(IReadOnlyList<X509Crl> fileCrls, Func<X509Certificate, IReadOnlyList<string>> authorityUris,
    CrlCache cache, Action<string> startFetch)
{
    public RevocationResult Check(X509Certificate cert, X509Certificate issuer, DateTime utcNow, TimeSpan monotonicNow)
    {
        X509Crl? staleFile = null;
        bool currentFile = false;
        foreach (var crl in fileCrls)
        {
            if (!IssuedBy(crl, issuer)) continue;
            if (RevokedBy(crl, cert, issuer, utcNow, null) is { } revoked) return revoked;
            if (crl.NextUpdate is null || utcNow <= crl.NextUpdate) currentFile = true;
            else staleFile = crl;
        }
        if (currentFile) return new RevocationResult(RevocationStatus.Good, $"the CRL of '{issuer.SubjectDN}' does not list it");

        var uris = new List<string>();
        foreach (var uri in CrlDistributionPoints.Of(cert).Concat(authorityUris(issuer)))
            if (!uris.Contains(uri)) uris.Add(uri);
        if (uris.Count == 0)
            return staleFile is not null
                ? new RevocationResult(RevocationStatus.Stale, $"the CRL of '{issuer.SubjectDN}' is stale since {Time(staleFile.NextUpdate!.Value)}")
                : new RevocationResult(RevocationStatus.Skipped, $"it has no CRL URI and no CRL of '{issuer.SubjectDN}' is loaded");

        foreach (var uri in uris)
            if (cache.NeedsFetch(uri, utcNow, monotonicNow)) startFetch(uri);

        bool pending = false, stale = staleFile is not null;
        var notes = new List<string>();
        if (staleFile is not null) notes.Add($"the CRL of '{issuer.SubjectDN}' from a file is stale since {Time(staleFile.NextUpdate!.Value)}");
        foreach (var uri in uris)
        {
            var entry = cache.Get(uri);
            if (entry is null) continue;
            if (entry.Crl is { } crl)
            {
                if (!IssuedBy(crl, issuer))
                {
                    notes.Add($"the CRL from '{LoggedUri.Of(uri)}' is not signed by '{issuer.SubjectDN}'");
                }
                else
                {
                    if (RevokedBy(crl, cert, issuer, utcNow, uri) is { } revoked) return revoked;
                    if (CrlCache.IsCurrent(crl, utcNow, entry.FetchedAt, monotonicNow))
                        return new RevocationResult(RevocationStatus.Good, $"the CRL of '{issuer.SubjectDN}' from '{LoggedUri.Of(uri)}' does not list it");
                    stale = true;
                    notes.Add($"the CRL from '{LoggedUri.Of(uri)}' is stale since {Time(crl.NextUpdate!.Value)}");
                }
            }
            if (entry.Pending) pending = true;
            else if (entry.Failure.Length > 0) notes.Add($"fetching '{LoggedUri.Of(uri)}' failed: {entry.Failure}");
        }
        if (pending) return RevocationResult.Pending;
        return new RevocationResult(stale ? RevocationStatus.Stale : RevocationStatus.Failed, string.Join("; ", notes));
    }

    /// <summary>
    /// The policy's verdict on a status (strongSwan's auth_cfg constraint on AUTH_RULE_CRL_VALIDATION): null when it
    /// passes, else the one-line reason. Revoked fails always; relaxed accepts everything else; ifuri accepts good and
    /// skipped (no URI to fetch); strict only good.
    /// </summary>
    public static string? PolicyFailure(RevocationPolicy policy, X509Certificate cert, RevocationResult result)
    {
        if (result.Status == RevocationStatus.Revoked) return result.Detail;
        bool ok = result.Status switch
        {
            RevocationStatus.Good => true,
            RevocationStatus.Skipped => policy != RevocationPolicy.Strict,
            _ => policy == RevocationPolicy.Relaxed,
        };
        if (ok) return null;
        string name = policy == RevocationPolicy.IfUri ? "ifuri" : "strict";
        return $"revocation = {name}: no current CRL for certificate '{cert.SubjectDN}' ({result.Detail})";
    }

    private static bool IssuedBy(X509Crl crl, X509Certificate issuer)
    {
        if (!crl.IssuerDN.Equivalent(issuer.SubjectDN)) return false;
        try
        {
            crl.Verify(issuer.GetPublicKey());
            return true;
        }
        catch (Exception)
        {
            return false; // Same name, other key, or corrupt: it says nothing about this issuer's certificates.
        }
    }

    private static RevocationResult? RevokedBy(X509Crl crl, X509Certificate cert, X509Certificate issuer, DateTime utcNow, string? uri)
    {
        var entry = crl.GetRevokedCertificate(cert.SerialNumber);
        if (entry is null || entry.RevocationDate > utcNow) return null;
        return new RevocationResult(RevocationStatus.Revoked, RevokedLine(cert, issuer, entry, uri));
    }

    /// <summary>"certificate 'DN' (serial 1a2b) was revoked on … UTC, reason key compromise by the CRL of 'CA' [from 'URI']".</summary>
    internal static string RevokedLine(X509Certificate cert, X509Certificate issuer, X509CrlEntry entry, string? uri)
    {
        string reason = "";
        var reasonExt = entry.GetExtensionValue(X509Extensions.ReasonCode);
        if (reasonExt is not null)
        {
            try
            {
                var code = CrlReason.GetInstance(Org.BouncyCastle.X509.Extension.X509ExtensionUtilities.FromExtensionValue(reasonExt));
                reason = $", reason {ReasonName(code.IntValueExact)}";
            }
            catch (Exception)
            {
                reason = "";
            }
        }
        return $"certificate '{cert.SubjectDN}' (serial {cert.SerialNumber.ToString(16)}) was revoked on {Time(entry.RevocationDate)}{reason} by the CRL of '{issuer.SubjectDN}'"
            + (uri is null ? "" : $" from '{LoggedUri.Of(uri)}'");
    }

    internal static string Time(DateTime t) => $"{t:yyyy-MM-dd HH:mm:ss} UTC";

    // RFC 5280 §5.3.1 CRLReason names as strongSwan prints them.
    private static string ReasonName(int code) => code switch
    {
        0 => "unspecified",
        1 => "key compromise",
        2 => "ca compromise",
        3 => "affiliation changed",
        4 => "superseded",
        5 => "cessation of operation",
        6 => "certificate hold",
        8 => "remove from crl",
        9 => "privilege withdrawn",
        10 => "aa compromise",
        _ => $"code {code}",
    };
}
