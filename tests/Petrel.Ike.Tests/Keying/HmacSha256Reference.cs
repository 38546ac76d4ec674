using System.Security.Cryptography;

namespace Petrel.Ike.Tests.Keying;

/// <summary>
/// RFC 7296 §2.13/§2.14 written out directly with HMACSHA256, independently of Petrel's PRF and prf+ code,
/// to check the key schedule against.
/// </summary>
internal static class HmacSha256Reference
{
    public static byte[] Prf(byte[] key, params byte[][] data) => HMACSHA256.HashData(key, data.SelectMany(d => d).ToArray());

    /// <summary>prf+ (K,S) = T1 | T2 | ...; T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n).</summary>
    public static byte[] PrfPlus(byte[] key, byte[] seed, int length)
    {
        var output = new List<byte>();
        byte[] t = [];
        for (byte n = 1; output.Count < length; n++)
        {
            t = Prf(key, t, seed, [n]);
            output.AddRange(t);
        }
        return output.Take(length).ToArray();
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
