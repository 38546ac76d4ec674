using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Esp;

/// <summary>Resolves ESP transforms through <see cref="AlgorithmCatalog"/>.</summary>
public sealed class CatalogEspAlgorithmProvider : IEspAlgorithmProvider
{
    public static readonly CatalogEspAlgorithmProvider Instance = new();

    public bool TryResolve(SaSpec sa, out EspAlgorithms algorithms, out string? error)
    {
        algorithms = default;
        if (sa.Protocol == IpsecProtocol.Ah)
            return TryResolveAh(sa, out algorithms, out error);
        if (!AlgorithmCatalog.TryFind(sa.Encryption, out var enc) || enc.Encryption is null)
        {
            error = $"encryption transform {sa.Encryption} is not supported for ESP";
            return false;
        }

        Crypto.Primitives.IntegrityAlgorithm? integ = null;
        if (sa.Integrity is { } it)
        {
            if (!AlgorithmCatalog.TryFind(it, out var ie) || ie.Integrity is null)
            {
                error = $"integrity transform {it} is not supported for ESP";
                return false;
            }
            integ = ie.Integrity;
        }

        if (!enc.Encryption.IsAead && integ is null)
        {
            // RFC 4303 §3.2 allows confidentiality-only ESP, but it is open to cut-and-paste
            // attacks and strongSwan never negotiates it; refuse rather than run unauthenticated.
            error = $"encryption transform {sa.Encryption} needs an integrity transform";
            return false;
        }

        algorithms = new EspAlgorithms(enc.Encryption, integ);
        error = null;
        return true;
    }

    /// <summary>RFC 4302: AH runs an integrity transform only.</summary>
    private static bool TryResolveAh(SaSpec sa, out EspAlgorithms algorithms, out string? error)
    {
        algorithms = default;
        if (sa.Integrity is not { } it)
        {
            error = "AH needs an integrity transform";
            return false;
        }
        if (!AlgorithmCatalog.TryFind(it, out var ie) || ie.Integrity is null)
        {
            error = $"integrity transform {it} is not supported for AH";
            return false;
        }
        algorithms = new EspAlgorithms(null, ie.Integrity);
        error = null;
        return true;
    }
}
