using System.Buffers.Binary;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.V1.Keying;

/// <summary>The HASH payload values of RFC 2409: Phase 1 HASH_I/HASH_R (§5), Quick Mode HASH(1..3) (§5.5), Informational (§5.7).</summary>
public static class V1Hashes
{
    /// <summary>HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b); HASH_R swaps the publics and cookies.</summary>
    public static byte[] Phase1(PrfAlgorithm prf, ReadOnlySpan<byte> skeyid, bool initiator, ReadOnlySpan<byte> publicI, ReadOnlySpan<byte> publicR,
        ulong cookieI, ulong cookieR, ReadOnlySpan<byte> saBody, ReadOnlySpan<byte> idBody)
    {
        var first = initiator ? publicI : publicR;
        var second = initiator ? publicR : publicI;
        Span<byte> cookies = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(cookies, initiator ? cookieI : cookieR);
        BinaryPrimitives.WriteUInt64BigEndian(cookies[8..], initiator ? cookieR : cookieI);
        return prf.Compute(skeyid, [.. first, .. second, .. cookies, .. saBody, .. idBody]);
    }

    /// <summary>HASH(1) of Quick Mode and Informational: prf(SKEYID_a, M-ID | rest of the message after HASH).</summary>
    public static byte[] First(PrfAlgorithm prf, ReadOnlySpan<byte> skeyidA, uint messageId, ReadOnlySpan<byte> rest) =>
        prf.Compute(skeyidA, [.. Mid(messageId), .. rest]);

    /// <summary>HASH(2): prf(SKEYID_a, M-ID | Ni_b | rest of the response after HASH).</summary>
    public static byte[] Second(PrfAlgorithm prf, ReadOnlySpan<byte> skeyidA, uint messageId, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> rest) =>
        prf.Compute(skeyidA, [.. Mid(messageId), .. ni, .. rest]);

    /// <summary>HASH(3): prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b).</summary>
    public static byte[] Third(PrfAlgorithm prf, ReadOnlySpan<byte> skeyidA, uint messageId, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr) =>
        prf.Compute(skeyidA, [0, .. Mid(messageId), .. ni, .. nr]);

    private static byte[] Mid(uint messageId)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, messageId);
        return b;
    }
}
