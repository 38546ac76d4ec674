using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;

namespace Petrel.Ike.Keying;

/// <summary>The key exchange methods the algorithm catalogue implements, by IKE transform ID.</summary>
internal static class KeyExchanges
{
    /// <summary>The method for a transform type 4 ID; null for NONE (0) or one the catalogue does not build.</summary>
    public static KeyExchangeMethod? Find(ushort group) =>
        group != 0 && AlgorithmCatalog.TryFind(new Transform(TransformType.KeyExchange, group), out var e) ? e.KeyExchange : null;
}
