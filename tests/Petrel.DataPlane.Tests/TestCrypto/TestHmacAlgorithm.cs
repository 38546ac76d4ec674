using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Tests.TestCrypto;

/// <summary>Test double: truncated HMAC (HMAC-SHA1-96 of RFC 2404, HMAC-SHA2-256-128 of RFC 4868).</summary>
internal sealed class TestHmacAlgorithm(HashAlgorithmName hash, int keyBytes, int icvBytes) : IntegrityAlgorithm
{
    public static TestHmacAlgorithm Sha1_96 => new(HashAlgorithmName.SHA1, 20, 12);
    public static TestHmacAlgorithm Sha256_128 => new(HashAlgorithmName.SHA256, 32, 16);

    public override int KeyLength => keyBytes;
    public override int IcvLength => icvBytes;

    public override IIntegrityContext CreateContext(ReadOnlySpan<byte> key) => new Context(hash, key.ToArray(), icvBytes);

    private sealed class Context(HashAlgorithmName hash, byte[] key, int icvLength) : IIntegrityContext
    {
        public int IcvLength => icvLength;

        public void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
        {
            Span<byte> full = stackalloc byte[64];
            int n = hash == HashAlgorithmName.SHA1 ? HMACSHA1.HashData(key, data, full) : HMACSHA256.HashData(key, data, full);
            full[..icvLength].CopyTo(icv);
            _ = n;
        }

        public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
        {
            Span<byte> mine = stackalloc byte[64];
            Compute(data, mine[..icvLength]);
            return CryptographicOperations.FixedTimeEquals(mine[..icvLength], icv);
        }

        public void Dispose() => CryptographicOperations.ZeroMemory(key);
    }
}
