using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;

namespace Petrel.Crypto.Algorithms;

/// <summary>The one table of every algorithm Petrel knows. Adding an algorithm is one entry plus its primitive.</summary>
public static class AlgorithmCatalog
{
    private static readonly AlgorithmEntry[] Entries = Build();
    private static readonly Dictionary<string, AlgorithmEntry> ByKeyword = IndexKeywords(Entries);
    private static readonly Dictionary<Transform, AlgorithmEntry> ByTransform = IndexTransforms(Entries);

    /// <summary>Every entry, in display order.</summary>
    public static IReadOnlyList<AlgorithmEntry> All => Entries;

    /// <summary>Finds the entry for a transform (type, id, key length).</summary>
    public static bool TryFind(Transform transform, out AlgorithmEntry entry) => ByTransform.TryGetValue(transform, out entry!);

    /// <summary>Finds an entry by strongSwan keyword (case-insensitive), or null.</summary>
    public static AlgorithmEntry? FindKeyword(string keyword) =>
        keyword is not null && ByKeyword.TryGetValue(keyword, out var entry) ? entry : null;

    /// <summary>Display name of a transform ("AES_GCM_16_128"), or "TYPE_ID" when unknown.</summary>
    public static string Describe(Transform transform)
    {
        if (TryFind(transform, out var entry))
            return entry.Name;
        var type = transform.Type switch
        {
            TransformType.Encryption => "ENCR",
            TransformType.Prf => "PRF",
            TransformType.Integrity => "AUTH",
            TransformType.KeyExchange => "KE",
            TransformType.ExtendedSequenceNumbers => "ESN",
            _ => "TRANSFORM_" + (byte)transform.Type,
        };
        return transform.KeyLengthBits == 0 ? $"{type}_{transform.Id}" : $"{type}_{transform.Id}_{transform.KeyLengthBits}";
    }

    /// <summary>The entry for a transform, or an exception naming it; for code that has already negotiated it.</summary>
    public static AlgorithmEntry Get(Transform transform) =>
        TryFind(transform, out var entry) ? entry : throw new KeyNotFoundException($"unknown transform {Describe(transform)}");

    private static AlgorithmEntry[] Build()
    {
        var list = new List<AlgorithmEntry>();

        // Encryption (IANA "Transform Type 1"; IKEv1 Phase 1 "Encryption Algorithm" attribute values from RFC 2409 App. A / RFC 3602).
        foreach (var bits in (ReadOnlySpan<int>)[128, 192, 256])
        {
            list.Add(new AlgorithmEntry
            {
                Keyword = $"aes{bits}", Aliases = bits == 128 ? ["aes"] : [], Name = $"AES_CBC_{bits}",
                Type = TransformType.Encryption, Id = 12, KeyLengthBits = (ushort)bits, IkeV1Id = 7,
                UsableForIke = true, UsableForEsp = true, Encryption = new AesCbcEncryption(bits / 8),
            });
        }
        // RFC 4106 / RFC 5282: ICV 16 (id 20), 12 (id 19), 8 (id 18); strongSwan accepts the ICV in bytes or bits.
        foreach (var (icv, id) in (ReadOnlySpan<(int, ushort)>)[(16, 20), (12, 19), (8, 18)])
        {
            foreach (var bits in (ReadOnlySpan<int>)[128, 192, 256])
            {
                list.Add(new AlgorithmEntry
                {
                    Keyword = $"aes{bits}gcm{icv}", Aliases = [$"aes{bits}gcm{icv * 8}"], Name = $"AES_GCM_{icv}_{bits}",
                    Type = TransformType.Encryption, Id = id, KeyLengthBits = (ushort)bits, IkeV1Id = id,
                    UsableForIke = true, UsableForEsp = true, Encryption = new AesGcmEncryption(bits / 8, icv),
                });
            }
        }
        list.Add(new AlgorithmEntry
        {
            Keyword = "chacha20poly1305", Name = "CHACHA20_POLY1305_256",
            Type = TransformType.Encryption, Id = 28, IkeV1Id = 0,
            UsableForIke = true, UsableForEsp = true, Encryption = ChaCha20Poly1305Encryption.Instance,
        });

        // Integrity (Transform Type 3). IKEv1 value is the Phase 1 "Hash Algorithm" attribute (RFC 2409 App. A, RFC 4868).
        list.Add(Integrity("sha1", ["sha"], "HMAC_SHA1_96", 2, 2, new HmacIntegrity(HashKind.Sha1, 12), weak: true));
        list.Add(Integrity("sha256", ["sha2_256"], "HMAC_SHA2_256_128", 12, 4, new HmacIntegrity(HashKind.Sha256, 16)));
        list.Add(Integrity("sha384", ["sha2_384"], "HMAC_SHA2_384_192", 13, 5, new HmacIntegrity(HashKind.Sha384, 24)));
        list.Add(Integrity("sha512", ["sha2_512"], "HMAC_SHA2_512_256", 14, 6, new HmacIntegrity(HashKind.Sha512, 32)));

        // PRF (Transform Type 2), IKE only.
        list.Add(Prf("prfsha1", "PRF_HMAC_SHA1", 2, 2, new HmacPrf(HashKind.Sha1), weak: true));
        list.Add(Prf("prfsha256", "PRF_HMAC_SHA2_256", 5, 4, new HmacPrf(HashKind.Sha256)));
        list.Add(Prf("prfsha384", "PRF_HMAC_SHA2_384", 6, 5, new HmacPrf(HashKind.Sha384)));
        list.Add(Prf("prfsha512", "PRF_HMAC_SHA2_512", 7, 6, new HmacPrf(HashKind.Sha512)));

        // Key exchange (Transform Type 4); the IKEv1 "Group Description" uses the same numbers.
        list.Add(Ke("modp1024", [], "MODP_1024", ModpGroup.Modp1024, weak: true));
        list.Add(Ke("modp1536", [], "MODP_1536", ModpGroup.Modp1536, weak: true));
        list.Add(Ke("modp2048", [], "MODP_2048", ModpGroup.Modp2048));
        list.Add(Ke("modp3072", [], "MODP_3072", ModpGroup.Modp3072));
        list.Add(Ke("modp4096", [], "MODP_4096", ModpGroup.Modp4096));
        list.Add(Ke("modp6144", [], "MODP_6144", ModpGroup.Modp6144));
        list.Add(Ke("modp8192", [], "MODP_8192", ModpGroup.Modp8192));
        list.Add(Ke("ecp256", [], "ECP_256", EcpGroup.Ecp256));
        list.Add(Ke("ecp384", [], "ECP_384", EcpGroup.Ecp384));
        list.Add(Ke("ecp521", [], "ECP_521", EcpGroup.Ecp521));
        list.Add(Ke("ecp256bp", [], "ECP_256_BP", EcpGroup.Brainpool256));
        list.Add(Ke("ecp384bp", [], "ECP_384_BP", EcpGroup.Brainpool384));
        list.Add(Ke("ecp512bp", [], "ECP_512_BP", EcpGroup.Brainpool512));
        list.Add(Ke("curve25519", ["x25519"], "CURVE_25519", Curve25519Method.Instance));

        // Extended Sequence Numbers (Transform Type 5), ESP/AH only (RFC 7296 §3.3.2).
        list.Add(new AlgorithmEntry
        {
            Keyword = "noesn", Name = "NO_EXT_SEQ", Type = TransformType.ExtendedSequenceNumbers, Id = 0,
            UsableForEsp = true, UsableForAh = true,
        });
        list.Add(new AlgorithmEntry
        {
            Keyword = "esn", Name = "EXT_SEQ", Type = TransformType.ExtendedSequenceNumbers, Id = 1,
            UsableForEsp = true, UsableForAh = true,
        });

        return [.. list];
    }

    private static AlgorithmEntry Integrity(string keyword, string[] aliases, string name, ushort id, ushort ikeV1, IntegrityAlgorithm algorithm, bool weak = false) => new()
    {
        Keyword = keyword, Aliases = aliases, Name = name, Type = TransformType.Integrity, Id = id, IkeV1Id = ikeV1,
        UsableForIke = true, UsableForEsp = true, UsableForAh = true, Weak = weak, Integrity = algorithm,
    };

    private static AlgorithmEntry Prf(string keyword, string name, ushort id, ushort ikeV1, PrfAlgorithm algorithm, bool weak = false) => new()
    {
        Keyword = keyword, Name = name, Type = TransformType.Prf, Id = id, IkeV1Id = ikeV1,
        UsableForIke = true, Weak = weak, Prf = algorithm,
    };

    private static AlgorithmEntry Ke(string keyword, string[] aliases, string name, KeyExchangeMethod method, bool weak = false) => new()
    {
        Keyword = keyword, Aliases = aliases, Name = name, Type = TransformType.KeyExchange, Id = method.Id, IkeV1Id = method.Id,
        UsableForIke = true, UsableForEsp = true, UsableForAh = true, Weak = weak, KeyExchange = method,
    };

    private static Dictionary<string, AlgorithmEntry> IndexKeywords(AlgorithmEntry[] entries)
    {
        var map = new Dictionary<string, AlgorithmEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in entries)
        {
            map.Add(e.Keyword, e);
            foreach (var alias in e.Aliases)
                map.Add(alias, e);
        }
        return map;
    }

    private static Dictionary<Transform, AlgorithmEntry> IndexTransforms(AlgorithmEntry[] entries)
    {
        var map = new Dictionary<Transform, AlgorithmEntry>();
        foreach (var e in entries)
            map.Add(e.Transform, e);
        return map;
    }
}
