using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Tests.Primitives;

/// <summary>
/// Hot-path transforms allocate nothing per packet once warmed up (STYLE.md). BenchmarkDotNet's
/// MemoryDiagnoser (bench/Petrel.Bench/Crypto) shows the same; this guards it in CI. Not listed, because
/// the library underneath allocates: aes*ccm* (runtime AesCcm), 3des (runtime one-shot TripleDES),
/// camellia*, cast128 (BouncyCastle engines).
/// </summary>
public class AllocationTests
{
    [Theory]
    [InlineData("aes128gcm16", null)]
    [InlineData("aes256gcm12", null)]
    [InlineData("aes256gcm8", null)]
    [InlineData("chacha20poly1305", null)]
    [InlineData("null_aes256gmac", null)]
    [InlineData("aes128", "sha256")]
    [InlineData("aes256", "sha512")]
    [InlineData("aes128ctr", "sha1")]
    [InlineData("aes256", "aesxcbc")]
    [InlineData("aes256", "aescmac")]
    [InlineData("null", "sha384")]
    [InlineData("blowfish128", "md5")]
    [InlineData("serpent256", "sha256_96")]
    [InlineData("twofish256", "sha1_160")]
    public void Seal_and_open_allocate_nothing_per_packet(string cipherKeyword, string? integrityKeyword)
    {
        var alg = AlgorithmCatalog.FindKeyword(cipherKeyword)!.Encryption!;
        var integ = integrityKeyword is null ? null : AlgorithmCatalog.FindKeyword(integrityKeyword)!.Integrity!;
        using var cipher = alg.CreateContext(new byte[alg.KeyLength]);
        using var mac = integ?.CreateContext(new byte[integ.KeyLength]);
        var iv = new byte[alg.IvLength];
        var aad = new byte[8];
        var pt = new byte[1400 / alg.BlockSize * alg.BlockSize];
        var ct = new byte[pt.Length];
        var tag = new byte[Math.Max(alg.IcvLength, mac?.IcvLength ?? 0)];

        void Packet()
        {
            cipher.Encrypt(iv, aad, pt, ct, tag.AsSpan(0, alg.IcvLength));
            mac?.Compute(ct, tag);
            if (mac is not null && !mac.Verify(ct, tag)) throw new InvalidOperationException();
            if (!cipher.Decrypt(iv, aad, ct, tag.AsSpan(0, alg.IcvLength), pt)) throw new InvalidOperationException();
        }

        for (int i = 0; i < 50; i++) Packet(); // warm up: JIT, tiering, lazily created native state
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) Packet();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
