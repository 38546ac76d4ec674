using System.Buffers.Binary;
using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Keying;

/// <summary>Key derivation of RFC 7296 §2.14 (IKE SA), §2.17 (CHILD_SA) and §2.18 (IKE SA rekey).</summary>
public static class IkeKeyDerivation
{
    /// <summary>
    /// SKEYSEED = prf(Ni | Nr, g^ir) (§2.14). With fixedKeyPrf (PRF_AES128_XCBC, PRF_AES128_CMAC) the key is the
    /// first 64 bits of Ni followed by the first 64 bits of Nr, as §2.14 requires for those PRFs.
    /// </summary>
    public static byte[] ComputeSkeyseed(PrfAlgorithm prf, bool fixedKeyPrf, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ReadOnlySpan<byte> sharedSecret)
    {
        var key = fixedKeyPrf ? Concat(ni[..8], nr[..8]) : Concat(ni, nr);
        try
        {
            return prf.Compute(key, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// SKEYSEED of a rekeyed IKE SA (§2.18): prf(SK_d (old), g^ir (new) | Ni | Nr), with the PRF of the old IKE SA.
    /// Ni and Nr are the nonces of the CREATE_CHILD_SA exchange (initiator of that exchange first). With RFC 9370
    /// additional key exchanges (IKE_FOLLOWUP_KE, §2.2.4) their secrets follow the nonces:
    /// prf(SK_d, SK(0) | Ni | Nr | SK(1) | … | SK(n)).
    /// </summary>
    public static byte[] ComputeRekeyedSkeyseed(PrfAlgorithm oldPrf, ReadOnlySpan<byte> oldSkD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr,
        ReadOnlySpan<byte> additionalSecrets = default)
    {
        var data = Concat(sharedSecret, ni, nr, additionalSecrets);
        try
        {
            return oldPrf.Compute(oldSkD, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>
    /// SKEYSEED after the n-th additional key exchange of RFC 9370 §2.2.2 (IKE_INTERMEDIATE):
    /// prf(SK_d(n-1), SK(n) | Ni | Nr) with the IKE SA's PRF and the nonces of IKE_SA_INIT. It is the §2.18
    /// formula with SK(n) in the place of g^ir; SK_* then follow from prf+ as usual with the IKE SA's SPIs.
    /// </summary>
    public static byte[] ComputeAdditionalKeyExchangeSkeyseed(PrfAlgorithm prf, ReadOnlySpan<byte> previousSkD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr) =>
        ComputeRekeyedSkeyseed(prf, previousSkD, sharedSecret, ni, nr);

    /// <summary>
    /// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (§2.14).
    /// SK_d, SK_pi and SK_pr are the PRF's preferred key length; SK_e includes any AEAD salt or CTR nonce.
    /// </summary>
    public static IkeSaKeys DeriveIkeSaKeys(PrfAlgorithm prf, ReadOnlySpan<byte> skeyseed, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr,
        ulong initiatorSpi, ulong responderSpi, int encryptionKeyLength, int integrityKeyLength)
    {
        Span<byte> spis = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(spis, initiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(spis[8..], responderSpi);
        var seed = Concat(ni, nr, spis);
        int d = prf.KeyLength, a = integrityKeyLength, e = encryptionKeyLength;
        var keymat = PrfPlus.Expand(prf, skeyseed, seed, d + 2 * a + 2 * e + 2 * d);
        try
        {
            int o = 0;
            byte[] Take(int n) { var k = keymat.AsSpan(o, n).ToArray(); o += n; return k; }
            var skD = Take(d);
            var skAi = Take(a);
            var skAr = Take(a);
            var skEi = Take(e);
            var skEr = Take(e);
            var skPi = Take(d);
            var skPr = Take(d);
            return new IkeSaKeys(skD, skAi, skAr, skEi, skEr, skPi, skPr);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keymat);
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// KEYMAT = prf+(SK_d, Ni | Nr) or, with PFS, prf+(SK_d, g^ir (new) | Ni | Nr) (§2.17), split into the
    /// initiator→responder then responder→initiator keys. Pass an empty sharedSecret without PFS. With RFC 9370
    /// additional key exchanges their secrets follow the nonces: prf+(SK_d, SK(0) | Ni | Nr | SK(1) | … | SK(n)) (§2.2.4).
    /// </summary>
    public static ChildSaKeys DeriveChildSaKeys(PrfAlgorithm prf, ReadOnlySpan<byte> skD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr,
        int encryptionKeyLength, int integrityKeyLength, ReadOnlySpan<byte> additionalSecrets = default)
    {
        var seed = Concat(sharedSecret, ni, nr, additionalSecrets);
        int e = encryptionKeyLength, a = integrityKeyLength;
        var keymat = PrfPlus.Expand(prf, skD, seed, 2 * (e + a));
        try
        {
            return new ChildSaKeys(
                keymat.AsSpan(0, e).ToArray(),
                keymat.AsSpan(e, a).ToArray(),
                keymat.AsSpan(e + a, e).ToArray(),
                keymat.AsSpan(2 * e + a, a).ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keymat);
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default, ReadOnlySpan<byte> d = default)
    {
        var result = new byte[a.Length + b.Length + c.Length + d.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        c.CopyTo(result.AsSpan(a.Length + b.Length));
        d.CopyTo(result.AsSpan(a.Length + b.Length + c.Length));
        return result;
    }
}
