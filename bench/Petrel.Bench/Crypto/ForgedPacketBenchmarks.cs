using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;

namespace Petrel.Bench.Crypto;

/// <summary>
/// What a forged 1400-byte packet costs the receiver. The runtime's AesGcm, AesCcm and
/// ChaCha20Poly1305 only report a bad tag by throwing, which the contexts catch and turn into
/// false; this measures that path against the exception-free ones (GCM-8, Camellia-CCM, HMAC).
/// </summary>
[MemoryDiagnoser]
public class ForgedPacketBenchmarks
{
    [Params("aes128gcm16", "chacha20poly1305", "aes128ccm16", "aes128gcm8", "camellia128ccm16")]
    public string Transform { get; set; } = "aes128gcm16";

    private ICipherContext _cipher = null!;
    private readonly byte[] _iv = new byte[8];
    private readonly byte[] _aad = new byte[8];
    private readonly byte[] _ciphertext = new byte[1400];
    private readonly byte[] _output = new byte[1400];
    private byte[] _tag = null!;

    [GlobalSetup]
    public void Setup()
    {
        var alg = AlgorithmCatalog.FindKeyword(Transform)!.Encryption!;
        var key = new byte[alg.KeyLength];
        new Random(1).NextBytes(key);
        _cipher = alg.CreateContext(key);
        _tag = new byte[alg.IcvLength];
        new Random(2).NextBytes(_ciphertext);
    }

    [Benchmark]
    public bool OpenForged() => _cipher.Decrypt(_iv, _aad, _ciphertext, _tag, _output);

    [GlobalCleanup]
    public void Cleanup() => _cipher.Dispose();
}
