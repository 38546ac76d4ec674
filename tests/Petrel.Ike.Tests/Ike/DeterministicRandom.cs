using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Tests.Ike;

/// <summary>A seeded random source (SHA-256 in counter mode) so every run produces the same SPIs, nonces and keys.</summary>
internal sealed class DeterministicRandom(int seed) : IRandom
{
    private ulong _counter;

    public void Fill(Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[12];
        Span<byte> block = stackalloc byte[32];
        int done = 0;
        while (done < destination.Length)
        {
            BitConverter.TryWriteBytes(input, seed);
            BitConverter.TryWriteBytes(input[4..], _counter++);
            SHA256.HashData(input, block);
            int n = Math.Min(32, destination.Length - done);
            block[..n].CopyTo(destination[done..]);
            done += n;
        }
    }
}
