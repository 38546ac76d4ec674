using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Algorithms;

/// <summary>
/// One row of the algorithm catalogue: how strongSwan spells it, how IKEv2 numbers it,
/// where it may be used, and the primitive that implements it.
/// </summary>
public sealed class AlgorithmEntry
{
    /// <summary>strongSwan's primary keyword, e.g. "aes128gcm16".</summary>
    public required string Keyword { get; init; }

    /// <summary>Other accepted keywords, e.g. "aes128gcm128" or "x25519".</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Display name as strongSwan logs it, e.g. "AES_GCM_16_128", "HMAC_SHA2_256_128", "CURVE_25519".</summary>
    public required string Name { get; init; }

    public required TransformType Type { get; init; }

    /// <summary>IANA IKEv2 transform id.</summary>
    public required ushort Id { get; init; }

    /// <summary>Key Length attribute in bits for variable-length ciphers (0 when the transform has none).</summary>
    public ushort KeyLengthBits { get; init; }

    /// <summary>
    /// IKEv1 Phase 1 attribute value, 0 when none: Encryption Algorithm (RFC 2409 App. A) for ciphers,
    /// Hash Algorithm for integrity algorithms and PRFs, Group Description for key exchanges.
    /// </summary>
    public ushort IkeV1Id { get; init; }

    /// <summary>
    /// IKEv1 Phase 2 value, 0 when none: the ESP transform id (RFC 2407 §4.4.4) for ciphers, the
    /// Authentication Algorithm attribute (RFC 2407 §4.5) for integrity algorithms, the Group
    /// Description for key exchanges (PFS).
    /// </summary>
    public ushort IkeV1Phase2Id { get; init; }

    public bool UsableForIke { get; init; }
    public bool UsableForEsp { get; init; }
    public bool UsableForAh { get; init; }

    /// <summary>MD5, SHA-1, DES, 3DES, MODP 768/1024/1536, group 22: works, but the CLI warns.</summary>
    public bool Weak { get; init; }

    public EncryptionAlgorithm? Encryption { get; init; }
    public IntegrityAlgorithm? Integrity { get; init; }
    public PrfAlgorithm? Prf { get; init; }
    public KeyExchangeMethod? KeyExchange { get; init; }

    public Proposals.Transform Transform => new(Type, Id, KeyLengthBits);

    /// <summary>Keying material in bytes (including any AEAD salt or CTR nonce), 0 when not applicable.</summary>
    public int KeyBytes => Encryption?.KeyLength ?? Integrity?.KeyLength ?? Prf?.KeyLength ?? 0;

    /// <summary>Explicit IV carried per packet, in bytes (ciphers only).</summary>
    public int IvBytes => Encryption?.IvLength ?? 0;

    /// <summary>Padding block size in bytes (ciphers only).</summary>
    public int BlockBytes => Encryption?.BlockSize ?? 0;

    /// <summary>ICV length in bytes: the AEAD tag, or the truncated MAC of an integrity algorithm.</summary>
    public int IcvBytes => Encryption is { } e ? e.IcvLength : Integrity?.IcvLength ?? 0;

    /// <summary>KE payload data length in bytes (the initiator's, for ML-KEM).</summary>
    public int PublicValueBytes => KeyExchange?.PublicKeyLength ?? 0;

    /// <summary>False for entries Petrel can name (in logs and peer proposals) but not run.</summary>
    public bool Implemented => Type == TransformType.ExtendedSequenceNumbers
        || Encryption is not null || Integrity is not null || Prf is not null || KeyExchange is not null;
}
