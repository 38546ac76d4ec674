using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Petrel.Ike.Certificates;

/// <summary>
/// Builds and checks the chain from an end-entity certificate to one of the configured CAs (RFC 5280 §6,
/// the parts strongSwan enforces): each link's signature, every certificate's validity period, that issuers
/// are CAs (basicConstraints cA, keyCertSign when keyUsage is present, pathLenConstraint), that an end entity
/// may sign (digitalSignature when keyUsage is present), and revocation by CRLs loaded from files.
/// </summary>
public sealed class ChainValidator
{
    /// <summary>Longer chains than this are refused rather than searched (strongSwan's default is 7 intermediates).</summary>
    public const int MaxDepth = 8;

    private readonly List<X509Certificate> _anchors;
    private readonly List<X509Certificate> _intermediates;
    private readonly List<X509Crl> _crls;

    public ChainValidator(IEnumerable<X509Certificate> trustedCas, IEnumerable<X509Certificate>? intermediates = null, IEnumerable<X509Crl>? crls = null)
    {
        _anchors = [.. trustedCas];
        _intermediates = [.. intermediates ?? []];
        _crls = [.. crls ?? []];
    }

    /// <summary>Validates at a given time; extra intermediates are those the peer sent in CERT payloads.</summary>
    /// <param name="budget">Bounds the signature checks of the issuer search (a peer's certificates); unbounded when null.</param>
    public ChainValidationResult Validate(X509Certificate endEntity, DateTime now, IEnumerable<X509Certificate>? peerIntermediates = null,
        SignatureBudget? budget = null)
    {
        var chain = new List<X509Certificate> { endEntity };
        var candidates = new List<X509Certificate>(_intermediates);
        if (peerIntermediates is not null) candidates.AddRange(peerIntermediates);

        if (CheckValidity(endEntity, now) is { } invalid)
            return ChainValidationResult.Fail(invalid, chain);
        bool[]? usage = endEntity.GetKeyUsage();
        if (usage is not null && !usage[0] && endEntity.GetBasicConstraints() < 0)
            return ChainValidationResult.Fail($"certificate '{endEntity.SubjectDN}' has a keyUsage without digitalSignature, so it cannot sign IKE AUTH", chain);

        var current = endEntity;
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            // A CA configured as trusted is itself an anchor, even when it is the end entity.
            if (_anchors.Exists(a => a.Equals(current)))
                return new ChainValidationResult(true, "", chain);

            var anchor = IssuerSearch.FindIssuer(current, _anchors, budget: budget);
            if (anchor is not null)
            {
                if (CheckIssuer(anchor, now, depth) is { } bad)
                    return ChainValidationResult.Fail(bad, chain);
                if (CheckRevocation(current, anchor, now) is { } revoked)
                    return ChainValidationResult.Fail(revoked, chain);
                chain.Add(anchor);
                return new ChainValidationResult(true, "", chain);
            }

            var intermediate = IssuerSearch.FindIssuer(current, candidates, budget: budget);
            if (budget is { Exhausted: true })
                return ChainValidationResult.Fail($"no trusted chain: {budget.Reason}", chain);
            if (intermediate is null || chain.Contains(intermediate))
            {
                string why = _anchors.Exists(a => a.SubjectDN.Equivalent(current.IssuerDN))
                    ? $"the signature of '{current.SubjectDN}' does not verify with the key of trusted CA '{current.IssuerDN}'"
                    : $"issuer '{current.IssuerDN}' of '{current.SubjectDN}' is neither a trusted CA nor a known intermediate";
                return ChainValidationResult.Fail($"no trusted chain: {why}", chain);
            }
            if (CheckIssuer(intermediate, now, depth) is { } badIntermediate)
                return ChainValidationResult.Fail(badIntermediate, chain);
            if (CheckRevocation(current, intermediate, now) is { } revokedByIntermediate)
                return ChainValidationResult.Fail(revokedByIntermediate, chain);
            chain.Add(intermediate);
            current = intermediate;
        }
        return ChainValidationResult.Fail($"no trusted chain: longer than {MaxDepth} certificates", chain);
    }

    private static string? CheckValidity(X509Certificate cert, DateTime now)
    {
        if (now < cert.NotBefore)
            return $"certificate '{cert.SubjectDN}' is not valid before {cert.NotBefore:yyyy-MM-dd HH:mm:ss} UTC";
        if (now > cert.NotAfter)
            return $"certificate '{cert.SubjectDN}' expired on {cert.NotAfter:yyyy-MM-dd HH:mm:ss} UTC";
        return null;
    }

    /// <summary>RFC 5280 §4.2.1.9/§4.2.1.3: an issuer must be a CA allowed to sign certificates, at this depth.</summary>
    private static string? CheckIssuer(X509Certificate issuer, DateTime now, int intermediatesBelow)
    {
        if (CheckValidity(issuer, now) is { } invalid)
            return invalid;
        int pathLen = issuer.GetBasicConstraints();
        if (pathLen < 0)
            return $"issuer '{issuer.SubjectDN}' is not a CA (no basicConstraints cA)";
        if (pathLen != int.MaxValue && intermediatesBelow > pathLen)
            return $"issuer '{issuer.SubjectDN}' allows {pathLen} intermediate CAs below it (pathLenConstraint), the chain has {intermediatesBelow}";
        bool[]? usage = issuer.GetKeyUsage();
        if (usage is not null && !usage[5])
            return $"issuer '{issuer.SubjectDN}' has a keyUsage without keyCertSign";
        return null;
    }

    private string? CheckRevocation(X509Certificate cert, X509Certificate issuer, DateTime now)
    {
        foreach (var crl in _crls)
        {
            if (!crl.IssuerDN.Equivalent(issuer.SubjectDN)) continue;
            try
            {
                crl.Verify(issuer.GetPublicKey());
            }
            catch (Exception)
            {
                continue; // Not this issuer's CRL (same name, other key) or corrupt: it says nothing about cert.
            }
            var entry = crl.GetRevokedCertificate(cert.SerialNumber);
            if (entry is null || entry.RevocationDate > now) continue;
            return RevocationChecker.RevokedLine(cert, issuer, entry, null);
        }
        return null;
    }
}
