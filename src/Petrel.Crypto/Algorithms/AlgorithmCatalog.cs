using Petrel.Crypto.Proposals;

namespace Petrel.Crypto.Algorithms;

/// <summary>The one table of every algorithm Petrel knows. Adding an algorithm is one entry plus its primitive.</summary>
public static class AlgorithmCatalog
{
    /// <summary>Every entry, in display order.</summary>
    public static IReadOnlyList<AlgorithmEntry> All => throw new NotImplementedException();

    /// <summary>Finds the entry for a transform (type, id, key length).</summary>
    public static bool TryFind(Transform transform, out AlgorithmEntry entry) => throw new NotImplementedException();

    /// <summary>Finds an entry by strongSwan keyword (case-insensitive), or null.</summary>
    public static AlgorithmEntry? FindKeyword(string keyword) => throw new NotImplementedException();

    /// <summary>Display name of a transform ("AES_GCM_16_128"), or "TYPE_ID" when unknown.</summary>
    public static string Describe(Transform transform) => throw new NotImplementedException();
}
