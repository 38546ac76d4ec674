using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.Tests.Primitives;

/// <summary>
/// Hot-path transforms allocate nothing per packet once warmed up (STYLE.md). BenchmarkDotNet's
/// MemoryDiagnoser (bench/Petrel.Bench/Crypto) shows the same; this guards it in CI by counting the
/// thread's allocated bytes over 1000 seal+open calls of a 1400-byte payload. It counts bytes, not time.
/// Every ESP cipher of the catalogue is covered (non-AEAD ones with HMAC-SHA2-256), and every integrity
/// algorithm with the NULL cipher (AH's AES-GMAC too: only its context matters here).
/// One exception, outside Petrel: BouncyCastle 2.7's CamelliaEngine and Cast5Engine allocate inside
/// ProcessBlock (40 and 32 bytes per block, through either overload). For Camellia and CAST-128 the
/// test demands exactly that engine garbage times the number of block calls the mode makes, so any
/// allocation of Petrel's own still fails it.
/// </summary>
public class AllocationTests
{
    private const int Packets = 1000;
    private const int AadBytes = 8;

    public static TheoryData<string, string?> Transforms()
    {
        var data = new TheoryData<string, string?>();
        foreach (var e in AlgorithmCatalog.All)
        {
            if (e.Encryption is { } enc && e.UsableForEsp && e.Keyword != "null")
                data.Add(e.Keyword, enc.IsAead ? null : "sha256");
            else if (e.Integrity is not null)
                data.Add("null", e.Keyword);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Seal_and_open_allocate_nothing_per_packet(string cipherKeyword, string? integrityKeyword)
    {
        var alg = AlgorithmCatalog.FindKeyword(cipherKeyword)!.Encryption!;
        var integ = integrityKeyword is null ? null : AlgorithmCatalog.FindKeyword(integrityKeyword)!.Integrity!;
        var key = new byte[alg.KeyLength];
        Random.Shared.NextBytes(key);
        using var cipher = alg.CreateContext(key);
        using var mac = integ?.CreateContext(new byte[integ.KeyLength]);
        var iv = new byte[alg.IvLength];
        var aad = new byte[AadBytes];
        var pt = new byte[1400 / alg.BlockSize * alg.BlockSize];
        Random.Shared.NextBytes(pt);
        var ct = new byte[pt.Length];
        var back = new byte[pt.Length];
        var tag = new byte[Math.Max(alg.IcvLength, mac?.IcvLength ?? 0)];
        int failures = 0;

        void Packet()
        {
            if (iv.Length > 0) iv[0]++;
            cipher.Encrypt(iv, aad, pt, ct, tag.AsSpan(0, alg.IcvLength));
            mac?.Compute(ct, tag);
            // No Assert inside the measured loop: xunit's comparers allocate.
            if (mac is not null && !mac.Verify(ct, tag)) failures++;
            if (!cipher.Decrypt(iv, aad, ct, tag.AsSpan(0, alg.IcvLength), back)) failures++;
        }

        for (int i = 0; i < 50; i++) Packet(); // warm up: JIT, tiering, lazily created native state
        // The runtime may allocate on this thread while it re-JITs a hot method (tier-1/OSR) in the
        // middle of a round; a per-packet allocation shows in every round, so keep the smallest of 3.
        long allocated = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Packets; i++) Packet();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, failures);
        Assert.Equal(pt, back);
        Assert.Equal(Packets * BouncyCastleBytesPerPacket(alg, pt.Length), allocated);
    }

    /// <summary>What the BouncyCastle engine itself allocates for one seal + open (0 for all but Camellia and CAST-128).</summary>
    private static long BouncyCastleBytesPerPacket(EncryptionAlgorithm alg, int length)
    {
        var kind = alg switch
        {
            BlockCipherCbcEncryption c => c.Kind,
            CounterModeEncryption c => c.Kind,
            CcmEncryption c => c.Kind,
            _ => BlockCipherKind.Aes,
        };
        if (kind is not (BlockCipherKind.Camellia or BlockCipherKind.Cast128))
            return 0;
        IBlockCipher engine = kind == BlockCipherKind.Camellia ? new CamelliaEngine() : new Cast5Engine();
        int block = engine.GetBlockSize();
        long perBlock = EngineBytesPerBlock(engine);
        int dataBlocks = (length + block - 1) / block;
        long calls = alg switch
        {
            // CBC: one block call per block each way. CTR: one per keystream block each way.
            BlockCipherCbcEncryption or CounterModeEncryption => 2L * dataBlocks,
            // CCM (RFC 3610) each way: B_0, the AAD block(s), the message blocks (CBC-MAC), A_1..A_m (CTR), A_0 (tag mask).
            _ => 2L * (1 + (2 + AadBytes + 15) / 16 + dataBlocks + dataBlocks + 1),
        };
        return calls * perBlock;
    }

    private static long EngineBytesPerBlock(IBlockCipher engine)
    {
        engine.Init(true, new KeyParameter(new byte[16]));
        var a = new byte[engine.GetBlockSize()];
        var b = new byte[a.Length];
        for (int i = 0; i < 100; i++) engine.ProcessBlock(a, 0, b, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) engine.ProcessBlock(a, 0, b, 0);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes % 1000 == 0, $"engine allocation not per block: {bytes} B over 1000 blocks");
        return bytes / 1000;
    }
}
