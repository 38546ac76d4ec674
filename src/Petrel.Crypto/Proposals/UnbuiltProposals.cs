using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Proposals;

/// <summary>
/// Proposals the parser reads but Petrel cannot perform yet. SPEC.md: a configured key exchange is
/// performed or refused, never dropped. RFC 9370 additional key exchanges ("ke1_mlkem768") run in
/// IKE_INTERMEDIATE exchanges (RFC 9242) and in CREATE_CHILD_SA follow-ups, which the engine does not
/// have yet: offered as they are, the SA would be keyed by the main group alone while listing ML-KEM.
/// The config loader and `petrel proposal` ask here; the work that builds the exchange deletes this class.
/// </summary>
public static class UnbuiltProposals
{
    /// <summary>The one-line reason <paramref name="proposals"/> cannot be used yet, or null when they can.</summary>
    public static string? Refusal(IReadOnlyList<Proposal> proposals)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        foreach (var p in proposals)
        {
            foreach (var t in p.Transforms)
            {
                if (!AlgorithmCatalog.IsAdditionalKeyExchange(t.Type))
                    continue;
                int n = (byte)t.Type - (byte)TransformType.AdditionalKeyExchange1 + 1;
                string keyword = t.Id == 0 ? "none" : AlgorithmCatalog.TryFind(t, out var e) ? e.Keyword : t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return $"additional key exchange 'ke{n}_{keyword}' (RFC 9370) is not built yet: Petrel has no IKE_INTERMEDIATE exchange, " +
                       "so it would be listed but not performed; remove the ke1_…ke7_ tokens (ML-KEM alone, e.g. 'mlkem768', works in IKE_SA_INIT)";
            }
        }
        return null;
    }
}
