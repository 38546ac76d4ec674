using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Keying;

/// <summary>
/// The transforms of a negotiated IKE SA proposal resolved to primitives, and the key schedule built on them:
/// SKEYSEED and SK_* (RFC 7296 §2.14, §2.18) and the two SK ciphers of the SA.
/// </summary>
public sealed class IkeCipherSuite
{
    /// <summary>IANA PRF ids that §2.14 treats specially (fixed 128-bit key).</summary>
    private const ushort PrfAes128Xcbc = 4, PrfAes128Cmac = 8;

    private IkeCipherSuite(AlgorithmEntry encryption, AlgorithmEntry? integrity, AlgorithmEntry prf, AlgorithmEntry? keyExchange)
    {
        EncryptionEntry = encryption;
        IntegrityEntry = integrity;
        PrfEntry = prf;
        KeyExchangeEntry = keyExchange;
    }

    public AlgorithmEntry EncryptionEntry { get; }
    public AlgorithmEntry? IntegrityEntry { get; }
    public AlgorithmEntry PrfEntry { get; }
    public AlgorithmEntry? KeyExchangeEntry { get; }

    public EncryptionAlgorithm Encryption => EncryptionEntry.Encryption!;
    public IntegrityAlgorithm? Integrity => IntegrityEntry?.Integrity;
    public PrfAlgorithm Prf => PrfEntry.Prf!;
    public KeyExchangeMethod? KeyExchange => KeyExchangeEntry?.KeyExchange;

    /// <summary>§2.14: AES-XCBC-PRF-128 and AES-CMAC-PRF-128 take only 64 bits of each nonce for SKEYSEED.</summary>
    public bool FixedKeyPrf => PrfEntry.Id is PrfAes128Xcbc or PrfAes128Cmac;

    public int EncryptionKeyLength => Encryption.KeyLength;
    public int IntegrityKeyLength => Integrity?.KeyLength ?? 0;

    /// <summary>
    /// Resolves a selected proposal (one transform per type) through <see cref="AlgorithmCatalog"/>. Fails, naming the
    /// transform, when one is unknown or lacks its primitive, or when a non-AEAD cipher has no integrity transform.
    /// </summary>
    public static bool TryCreate(Proposal selected, out IkeCipherSuite? suite, out string error)
    {
        suite = null;
        AlgorithmEntry? encr = null, integ = null, prf = null, ke = null;
        foreach (var t in selected.Transforms)
        {
            if (t.Type == TransformType.Integrity && t.Id == 0) continue; // AUTH_NONE
            if (!AlgorithmCatalog.TryFind(t, out var entry))
            {
                error = $"transform {AlgorithmCatalog.Describe(t)} is not supported";
                return false;
            }
            switch (t.Type)
            {
                case TransformType.Encryption: encr ??= entry; break;
                case TransformType.Integrity: integ ??= entry; break;
                case TransformType.Prf: prf ??= entry; break;
                case TransformType.KeyExchange: ke ??= entry; break;
            }
        }
        if (encr?.Encryption is null) { error = "proposal has no usable encryption transform"; return false; }
        if (prf?.Prf is null) { error = "proposal has no usable PRF transform"; return false; }
        if (encr.Encryption.IsAead) integ = null;
        else if (integ?.Integrity is null) { error = $"{encr.Name} needs an integrity transform"; return false; }
        if (ke is not null && ke.KeyExchange is null) { error = $"{ke.Name} has no key exchange implementation"; return false; }
        suite = new IkeCipherSuite(encr, integ, prf, ke);
        error = "";
        return true;
    }

    /// <summary>SKEYSEED and SK_* of a new IKE SA (§2.14).</summary>
    public IkeSaKeys DeriveKeys(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ulong initiatorSpi, ulong responderSpi)
    {
        var skeyseed = IkeKeyDerivation.ComputeSkeyseed(Prf, FixedKeyPrf, ni, nr, sharedSecret);
        try
        {
            return IkeKeyDerivation.DeriveIkeSaKeys(Prf, skeyseed, ni, nr, initiatorSpi, responderSpi, EncryptionKeyLength, IntegrityKeyLength);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(skeyseed);
        }
    }

    /// <summary>
    /// SK_* of the IKE SA replacing one whose PRF and SK_d are given (§2.18); SPIs are the new SA's. RFC 9370's additional
    /// secrets (IKE_FOLLOWUP_KE) go after the nonces.
    /// </summary>
    public IkeSaKeys DeriveRekeyedKeys(PrfAlgorithm oldPrf, ReadOnlySpan<byte> oldSkD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ulong initiatorSpi, ulong responderSpi,
        ReadOnlySpan<byte> additionalSecrets = default)
    {
        var skeyseed = IkeKeyDerivation.ComputeRekeyedSkeyseed(oldPrf, oldSkD, sharedSecret, ni, nr, additionalSecrets);
        try
        {
            return IkeKeyDerivation.DeriveIkeSaKeys(Prf, skeyseed, ni, nr, initiatorSpi, responderSpi, EncryptionKeyLength, IntegrityKeyLength);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(skeyseed);
        }
    }

    /// <summary>
    /// SK_* after an RFC 9370 additional key exchange in IKE_INTERMEDIATE (§2.2.2): the current SK_d keys
    /// SKEYSEED(n) = prf(SK_d(n-1), SK(n) | Ni | Nr); the SPIs and nonces are those of the IKE SA.
    /// </summary>
    public IkeSaKeys DeriveAfterAdditionalKeyExchange(IkeSaKeys current, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ulong initiatorSpi, ulong responderSpi) =>
        DeriveRekeyedKeys(Prf, current.SkD, sharedSecret, ni, nr, initiatorSpi, responderSpi);

    /// <summary>
    /// The SK cipher for messages sent by the original initiator (SK_ei/SK_ai) when fromInitiator, else by the
    /// original responder (SK_er/SK_ar). Each side sends with one and receives with the other.
    /// </summary>
    public SkCipher CreateCipher(IkeSaKeys keys, bool fromInitiator, IRandom random) =>
        fromInitiator
            ? new SkCipher(Encryption, keys.SkEi, Integrity, keys.SkAi, random)
            : new SkCipher(Encryption, keys.SkEr, Integrity, keys.SkAr, random);
}
