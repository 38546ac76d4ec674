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
    /// <remarks>RFC 9370 additional key exchange types (6-12) share the ids of Transform Type 4.</remarks>
    public static bool TryFind(Transform transform, out AlgorithmEntry entry)
    {
        if (IsAdditionalKeyExchange(transform.Type))
            transform = transform with { Type = TransformType.KeyExchange };
        return ByTransform.TryGetValue(transform, out entry!);
    }

    /// <summary>True for the RFC 9370 Additional Key Exchange transform types 6 to 12.</summary>
    public static bool IsAdditionalKeyExchange(TransformType type) =>
        type >= TransformType.AdditionalKeyExchange1 && type <= TransformType.AdditionalKeyExchange7;

    /// <summary>Finds an entry by strongSwan keyword (case-insensitive), or null.</summary>
    public static AlgorithmEntry? FindKeyword(string keyword) =>
        keyword is not null && ByKeyword.TryGetValue(keyword, out var entry) ? entry : null;

    /// <summary>Display name of a transform ("AES_GCM_16_128"), or "TYPE_ID" when unknown.</summary>
    public static string Describe(Transform transform)
    {
        // RFC 9370: additional key exchanges are shown as "KE1_ML_KEM_768", as strongSwan 6 logs them.
        string prefix = IsAdditionalKeyExchange(transform.Type) ? $"KE{(byte)transform.Type - 5}_" : "";
        if (transform.Id == 0 && (transform.Type is TransformType.KeyExchange || prefix.Length > 0))
            return prefix + "KE_NONE";
        if (transform.Id == 0 && transform.Type == TransformType.Integrity)
            return "NONE";
        if (TryFind(transform, out var entry))
            return prefix + entry.Name;
        var type = transform.Type switch
        {
            TransformType.Encryption => "ENCR",
            TransformType.Prf => "PRF",
            TransformType.Integrity => "AUTH",
            TransformType.KeyExchange => "KE",
            TransformType.ExtendedSequenceNumbers => "ESN",
            _ when IsAdditionalKeyExchange(transform.Type) => $"ADDKE{(byte)transform.Type - 5}",
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
        ReadOnlySpan<int> aesSizes = [128, 192, 256];

        // ---- Encryption (IANA IKEv2 Transform Type 1). IKEv1: Phase 1 Encryption Algorithm (RFC 2409 App. A,
        // RFC 3602, RFC 4312) and Phase 2 ESP transform id (RFC 2407 §4.4.4 and its IANA registry).
        list.Add(Cipher("null", [], "NULL", 11, 0, 0, 11, NullEncryption.Instance, ike: false));
        // RFC 2405 DES-CBC: IKEv2 id 2 (ENCR_DES), IKEv1 Phase 1 value 1, ESP transform id 2 (ESP_DES).
        list.Add(Cipher("des", [], "DES_CBC", 2, 0, 1, 2, DesCbcEncryption.Instance, weak: true));
        list.Add(Cipher("3des", [], "3DES_CBC", 3, 0, 5, 3, TripleDesCbcEncryption.Instance, weak: true));
        foreach (var bits in aesSizes)
            list.Add(Cipher($"aes{bits}", bits == 128 ? ["aes"] : [], $"AES_CBC_{bits}", 12, bits, 7, 12, new AesCbcEncryption(bits / 8)));
        foreach (var bits in aesSizes)
            list.Add(Cipher($"aes{bits}ctr", [], $"AES_CTR_{bits}", 13, bits, 0, 13, new CounterModeEncryption(BlockCipherKind.Aes, bits / 8)));
        // RFC 4309 / RFC 5282: CCM ICV 8 (id 14), 12 (15), 16 (16). strongSwan accepts the ICV in bytes or bits.
        foreach (var (icv, id) in (ReadOnlySpan<(int, ushort)>)[(8, 14), (12, 15), (16, 16)])
            foreach (var bits in aesSizes)
                list.Add(Cipher($"aes{bits}ccm{icv}", [$"aes{bits}ccm{icv * 8}"], $"AES_CCM_{icv}_{bits}", id, bits, 0, id,
                    new CcmEncryption(BlockCipherKind.Aes, bits / 8, icv)));
        // RFC 4106 / RFC 5282: GCM ICV 8 (id 18), 12 (19), 16 (20).
        foreach (var (icv, id) in (ReadOnlySpan<(int, ushort)>)[(16, 20), (12, 19), (8, 18)])
            foreach (var bits in aesSizes)
                list.Add(Cipher($"aes{bits}gcm{icv}", [$"aes{bits}gcm{icv * 8}"], $"AES_GCM_{icv}_{bits}", id, bits, 0, id,
                    new AesGcmEncryption(bits / 8, icv)));
        // RFC 4543: ESP with GMAC authentication and no encryption (IKEv2 id 21, IKEv1 ESP id 23).
        foreach (var bits in aesSizes)
            list.Add(Cipher($"null_aes{bits}gmac", [], $"NULL_AES_GMAC_{bits}", 21, bits, 0, 23, new AesGmacEncryption(bits / 8), ike: false));
        list.Add(Cipher("chacha20poly1305", [], "CHACHA20_POLY1305", 28, 0, 0, 0, ChaCha20Poly1305Encryption.Instance));
        foreach (var bits in aesSizes)
            list.Add(Cipher($"camellia{bits}", bits == 128 ? ["camellia"] : [], $"CAMELLIA_CBC_{bits}", 23, bits, 8, 22,
                new BlockCipherCbcEncryption(BlockCipherKind.Camellia, bits / 8)));
        foreach (var bits in aesSizes)
            list.Add(Cipher($"camellia{bits}ctr", [], $"CAMELLIA_CTR_{bits}", 24, bits, 0, 0, new CounterModeEncryption(BlockCipherKind.Camellia, bits / 8)));
        // RFC 5529: Camellia-CCM ICV 8 (id 25), 12 (26), 16 (27).
        foreach (var (icv, id) in (ReadOnlySpan<(int, ushort)>)[(8, 25), (12, 26), (16, 27)])
            foreach (var bits in aesSizes)
                list.Add(Cipher($"camellia{bits}ccm{icv}", [$"camellia{bits}ccm{icv * 8}"], $"CAMELLIA_CCM_{icv}_{bits}", id, bits, 0, 0,
                    new CcmEncryption(BlockCipherKind.Camellia, bits / 8, icv)));
        foreach (var bits in aesSizes)
            list.Add(Cipher($"blowfish{bits}", bits == 128 ? ["blowfish"] : [], $"BLOWFISH_CBC_{bits}", 7, bits, 3, 7,
                new BlockCipherCbcEncryption(BlockCipherKind.Blowfish, bits / 8)));
        list.Add(Cipher("cast128", [], "CAST_CBC_128", 6, 128, 6, 6, new BlockCipherCbcEncryption(BlockCipherKind.Cast128, 16)));
        // Serpent and Twofish have no IANA ids; strongSwan uses private-use ids 1026 and 1027 (IKEv1 ESP 252/253),
        // so they only negotiate between strongSwan-compatible peers.
        foreach (var bits in aesSizes)
            list.Add(Cipher($"serpent{bits}", bits == 128 ? ["serpent"] : [], $"SERPENT_CBC_{bits}", 1026, bits, 0, 252,
                new BlockCipherCbcEncryption(BlockCipherKind.Serpent, bits / 8)));
        foreach (var bits in aesSizes)
            list.Add(Cipher($"twofish{bits}", bits == 128 ? ["twofish"] : [], $"TWOFISH_CBC_{bits}", 1027, bits, 0, 253,
                new BlockCipherCbcEncryption(BlockCipherKind.Twofish, bits / 8)));

        // ---- Integrity (Transform Type 3). IKEv1: Phase 1 Hash Algorithm, Phase 2 Authentication Algorithm.
        list.Add(Integrity("md5", [], "HMAC_MD5_96", 1, 1, 1, new HmacIntegrity(HashKind.Md5, 12), weak: true));
        list.Add(Integrity("md5_128", [], "HMAC_MD5_128", 6, 0, 0, new HmacIntegrity(HashKind.Md5, 16), weak: true));
        list.Add(Integrity("sha1", ["sha"], "HMAC_SHA1_96", 2, 2, 2, new HmacIntegrity(HashKind.Sha1, 12), weak: true));
        list.Add(Integrity("sha1_160", [], "HMAC_SHA1_160", 7, 0, 0, new HmacIntegrity(HashKind.Sha1, 20), weak: true));
        list.Add(Integrity("aesxcbc", [], "AES_XCBC_96", 5, 0, 9, new AesMacIntegrity(AesMacKind.Xcbc)));
        list.Add(Integrity("aescmac", [], "AES_CMAC_96", 8, 0, 0, new AesMacIntegrity(AesMacKind.Cmac)));
        // RFC 4543 §4: AES-GMAC for AH only (ids 9-11, IKEv1 AH transform / auth algorithm 11-13). Keying
        // material is key || 4-byte salt; the 24-byte ICV field is an 8-byte IV followed by the 16-byte tag.
        foreach (var (bits, id, v1) in (ReadOnlySpan<(int, ushort, ushort)>)[(128, 9, 11), (192, 10, 12), (256, 11, 13)])
            list.Add(new AlgorithmEntry
            {
                Keyword = $"aes{bits}gmac", Name = $"AES_{bits}_GMAC", Type = TransformType.Integrity, Id = id,
                IkeV1Phase2Id = v1, UsableForAh = true, Integrity = new AesGmacIntegrity(bits / 8),
            });
        list.Add(Integrity("sha256", ["sha2_256"], "HMAC_SHA2_256_128", 12, 4, 5, new HmacIntegrity(HashKind.Sha256, 16)));
        list.Add(Integrity("sha384", ["sha2_384"], "HMAC_SHA2_384_192", 13, 5, 6, new HmacIntegrity(HashKind.Sha384, 24)));
        list.Add(Integrity("sha512", ["sha2_512"], "HMAC_SHA2_512_256", 14, 6, 7, new HmacIntegrity(HashKind.Sha512, 32)));
        // The pre-RFC 4868 Linux truncation; strongSwan private id 1026, for interop with old peers.
        list.Add(Integrity("sha256_96", ["sha2_256_96"], "HMAC_SHA2_256_96", 1026, 0, 0, new HmacIntegrity(HashKind.Sha256, 12)));

        // ---- PRF (Transform Type 2), IKE only.
        list.Add(Prf("prfmd5", "PRF_HMAC_MD5", 1, 1, new HmacPrf(HashKind.Md5), weak: true));
        list.Add(Prf("prfsha1", "PRF_HMAC_SHA1", 2, 2, new HmacPrf(HashKind.Sha1), weak: true));
        list.Add(Prf("prfaesxcbc", "PRF_AES128_XCBC", 4, 0, new AesMacPrf(AesMacKind.Xcbc)));
        list.Add(Prf("prfaescmac", "PRF_AES128_CMAC", 8, 0, new AesMacPrf(AesMacKind.Cmac)));
        list.Add(Prf("prfsha256", "PRF_HMAC_SHA2_256", 5, 4, new HmacPrf(HashKind.Sha256)));
        list.Add(Prf("prfsha384", "PRF_HMAC_SHA2_384", 6, 5, new HmacPrf(HashKind.Sha384)));
        list.Add(Prf("prfsha512", "PRF_HMAC_SHA2_512", 7, 6, new HmacPrf(HashKind.Sha512)));

        // ---- Key exchange (Transform Type 4); IKEv1 Group Description uses the same numbers where it has them.
        list.Add(Ke("modp768", [], "MODP_768", ModpGroup.Modp768, weak: true));
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
        list.Add(Ke("modp1024s160", [], "MODP_1024_160", ModpGroup.Modp1024S160, weak: true));
        list.Add(Ke("modp2048s224", [], "MODP_2048_224", ModpGroup.Modp2048S224));
        list.Add(Ke("modp2048s256", [], "MODP_2048_256", ModpGroup.Modp2048S256));
        list.Add(Ke("ecp192", [], "ECP_192", EcpGroup.Ecp192));
        list.Add(Ke("ecp224", [], "ECP_224", EcpGroup.Ecp224));
        list.Add(Ke("ecp224bp", [], "ECP_224_BP", EcpGroup.Brainpool224));
        list.Add(Ke("ecp256bp", [], "ECP_256_BP", EcpGroup.Brainpool256));
        list.Add(Ke("ecp384bp", [], "ECP_384_BP", EcpGroup.Brainpool384));
        list.Add(Ke("ecp512bp", [], "ECP_512_BP", EcpGroup.Brainpool512));
        list.Add(Ke("curve25519", ["x25519"], "CURVE_25519", Curve25519Method.Instance));
        list.Add(Ke("curve448", ["x448"], "CURVE_448", Curve448Method.Instance));
        list.Add(Ke("mlkem512", [], "ML_KEM_512", MlKemMethod.MlKem512));
        list.Add(Ke("mlkem768", [], "ML_KEM_768", MlKemMethod.MlKem768));
        list.Add(Ke("mlkem1024", [], "ML_KEM_1024", MlKemMethod.MlKem1024));

        // ---- Extended Sequence Numbers (Transform Type 5), ESP/AH only (RFC 7296 §3.3.2).
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

    private static AlgorithmEntry Cipher(string keyword, string[] aliases, string name, ushort id, int bits, ushort ikeV1, ushort ikeV1Esp,
        EncryptionAlgorithm algorithm, bool weak = false, bool ike = true) => new()
    {
        Keyword = keyword, Aliases = aliases, Name = name, Type = TransformType.Encryption, Id = id, KeyLengthBits = (ushort)bits,
        IkeV1Id = ikeV1, IkeV1Phase2Id = ikeV1Esp, UsableForIke = ike, UsableForEsp = true, Weak = weak, Encryption = algorithm,
    };

    private static AlgorithmEntry Integrity(string keyword, string[] aliases, string name, ushort id, ushort ikeV1, ushort ikeV1Auth,
        IntegrityAlgorithm algorithm, bool weak = false) => new()
    {
        Keyword = keyword, Aliases = aliases, Name = name, Type = TransformType.Integrity, Id = id, IkeV1Id = ikeV1, IkeV1Phase2Id = ikeV1Auth,
        UsableForIke = true, UsableForEsp = true, UsableForAh = true, Weak = weak, Integrity = algorithm,
    };

    private static AlgorithmEntry Prf(string keyword, string name, ushort id, ushort ikeV1, PrfAlgorithm algorithm, bool weak = false) => new()
    {
        Keyword = keyword, Name = name, Type = TransformType.Prf, Id = id, IkeV1Id = ikeV1,
        UsableForIke = true, Weak = weak, Prf = algorithm,
    };

    private static AlgorithmEntry Ke(string keyword, string[] aliases, string name, KeyExchangeMethod method, bool weak = false)
    {
        // RFC 2409 / RFC 3526 / RFC 5114 / RFC 6932 numbers apply to IKEv1 too, up to brainpool (30);
        // Curve25519/448 and ML-KEM exist only in IKEv2.
        ushort v1 = method.Id <= 30 ? method.Id : (ushort)0;
        return new AlgorithmEntry
        {
            Keyword = keyword, Aliases = aliases, Name = name, Type = TransformType.KeyExchange, Id = method.Id,
            IkeV1Id = v1, IkeV1Phase2Id = v1,
            UsableForIke = true, UsableForEsp = true, UsableForAh = true, Weak = weak, KeyExchange = method,
        };
    }

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
