using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Tests.Support;

/// <summary>An IRandom that returns the given bytes over and over, for reproducible key exchanges.</summary>
internal sealed class FixedRandom(byte[] bytes) : IRandom
{
    public void Fill(Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = bytes[i % bytes.Length];
    }
}
