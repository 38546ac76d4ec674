using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Proposals;

/// <summary>RFC 9370 additional key exchanges (transform types 6–12) of proposals.</summary>
public static class AdditionalKeyExchanges
{
    /// <summary>The additional key exchanges a selected proposal negotiated, in transform-type order, NONE left out (§2.2.2).</summary>
    public static IReadOnlyList<Transform> Of(Proposal selected)
    {
        ArgumentNullException.ThrowIfNull(selected);
        var result = new List<Transform>();
        for (var type = TransformType.AdditionalKeyExchange1; type <= TransformType.AdditionalKeyExchange7; type++)
            if (selected.First(type) is { Id: not 0 } t)
                result.Add(t);
        return result;
    }

    /// <summary>True when any of the proposals offers an additional key exchange other than NONE.</summary>
    public static bool AnyOffered(IReadOnlyList<Proposal> proposals)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        foreach (var p in proposals)
            foreach (var t in p.Transforms)
                if (AlgorithmCatalog.IsAdditionalKeyExchange(t.Type) && t.Id != 0)
                    return true;
        return false;
    }
}
