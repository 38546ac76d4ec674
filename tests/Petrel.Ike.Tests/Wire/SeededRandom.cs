using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Tests.Wire;

/// <summary>A reproducible IRandom for tests.</summary>
internal sealed class SeededRandom(int seed) : IRandom
{
    private readonly Random _random = new(seed);
    public void Fill(Span<byte> destination) => _random.NextBytes(destination);
}
