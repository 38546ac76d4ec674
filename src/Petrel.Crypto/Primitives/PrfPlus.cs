using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>prf+ of RFC 7296 §2.13: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n).</summary>
public static class PrfPlus
{
    public static byte[] Expand(PrfAlgorithm prf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, int length)
    {
        ArgumentNullException.ThrowIfNull(prf);
        var output = new byte[length];
        Expand(prf, key, seed, output);
        return output;
    }

    public static void Expand(PrfAlgorithm prf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        int h = prf.OutputLength;
        // RFC 7296 §2.13: the counter is one octet, so prf+ ends after 255 iterations.
        if (output.Length > 255 * h)
            throw new ArgumentOutOfRangeException(nameof(output), $"prf+ can produce at most {255 * h} bytes with this PRF");

        var input = new byte[h + seed.Length + 1];
        var block = new byte[h];
        try
        {
            int written = 0;
            int prevLength = 0;
            for (int n = 1; written < output.Length; n++)
            {
                block.AsSpan(0, prevLength).CopyTo(input);
                seed.CopyTo(input.AsSpan(prevLength));
                input[prevLength + seed.Length] = (byte)n;
                prf.Compute(key, input.AsSpan(0, prevLength + seed.Length + 1), block);
                int take = Math.Min(h, output.Length - written);
                block.AsSpan(0, take).CopyTo(output[written..]);
                written += take;
                prevLength = h;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(block);
        }
    }
}
