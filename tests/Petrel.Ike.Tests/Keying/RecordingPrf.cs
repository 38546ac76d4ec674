using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Tests.Keying;

/// <summary>A PRF (HMAC-SHA2-256 inside) that remembers the keys it was called with.</summary>
internal sealed class RecordingPrf : PrfAlgorithm
{
    public List<byte[]> Keys { get; } = [];
    public override int OutputLength => 32;
    public override int KeyLength => 16;

    public override void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        Keys.Add(key.ToArray());
        System.Security.Cryptography.HMACSHA256.HashData(key, data, output);
    }
}
