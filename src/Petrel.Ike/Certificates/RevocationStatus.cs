namespace Petrel.Ike.Certificates;

/// <summary>What is known about the revocation of one certificate (strongSwan's cert_validation_t, plus Pending).</summary>
public enum RevocationStatus
{
    /// <summary>A current CRL of the issuer does not list it.</summary>
    Good,
    /// <summary>A CRL of the issuer lists it (revoked before now).</summary>
    Revoked,
    /// <summary>A CRL it needs is being fetched; ask again when the fetch completes.</summary>
    Pending,
    /// <summary>Only CRLs past their nextUpdate (that do not list it) are at hand.</summary>
    Stale,
    /// <summary>It names CRL URIs but no CRL could be obtained from any.</summary>
    Failed,
    /// <summary>No CRL URI and no CRL of its issuer: nothing to check.</summary>
    Skipped,
}
