using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;

namespace Petrel.Bench.Crypto;

/// <summary>
/// Per-packet seal and open of a 1400-byte ESP payload for each ESP transform, through the same
/// per-SA contexts the data plane uses: AEAD transforms alone, classic ciphers with HMAC-SHA2-256-128
/// over header || IV || ciphertext (RFC 4303 §3.3.2). MemoryDiagnoser must show 0 B per operation.
/// </summary>
[MemoryDiagnoser]
public class EspTransformBenchmarks
{
    private const int PayloadLength = 1400;

    /// <summary>All transforms, or the comma-separated keywords in PETREL_BENCH_TRANSFORMS (bench/crypto.sh).</summary>
    public static IEnumerable<string> Transforms => BenchSelection.FromEnvironment("PETREL_BENCH_TRANSFORMS",
        ["aes128gcm16", "aes256gcm16", "aes128gcm12", "aes128gcm8", "chacha20poly1305", "aes128ccm16", "null_aes128gmac",
         "aes128", "aes256", "aes128ctr", "3des", "camellia128", "blowfish128", "cast128", "serpent128", "twofish128",
         "camellia128ctr", "camellia128ccm16", "null"]);

    [ParamsSource(nameof(Transforms))]
    public string Transform { get; set; } = "aes128gcm16";

    private ICipherContext _cipher = null!;
    private IIntegrityContext? _integrity;
    private byte[] _packet = null!;      // SPI | seq | IV | payload | ICV
    private byte[] _plaintext = null!;
    private byte[] _scratch = null!;
    private int _ivLength, _icvLength, _payloadLength;

    [GlobalSetup]
    public void Setup()
    {
        var alg = AlgorithmCatalog.FindKeyword(Transform)!.Encryption!;
        var rnd = new Random(42);
        var key = new byte[alg.KeyLength];
        rnd.NextBytes(key);
        _cipher = alg.CreateContext(key);
        if (!alg.IsAead)
        {
            var integ = AlgorithmCatalog.FindKeyword("sha256")!.Integrity!;
            var ikey = new byte[integ.KeyLength];
            rnd.NextBytes(ikey);
            _integrity = integ.CreateContext(ikey);
        }
        _ivLength = alg.IvLength;
        _icvLength = alg.IsAead ? alg.IcvLength : _integrity!.IcvLength;
        _payloadLength = PayloadLength / alg.BlockSize * alg.BlockSize; // the caller pads; keep it whole blocks
        _packet = new byte[8 + _ivLength + _payloadLength + _icvLength];
        _plaintext = new byte[_payloadLength];
        _scratch = new byte[_payloadLength];
        rnd.NextBytes(_plaintext);
        rnd.NextBytes(_packet.AsSpan(0, 8 + _ivLength));
        Seal();
    }

    [Benchmark]
    public void Seal()
    {
        var p = _packet.AsSpan();
        var aad = p[..8];
        var iv = p.Slice(8, _ivLength);
        var body = p.Slice(8 + _ivLength, _payloadLength);
        var icv = p.Slice(8 + _ivLength + _payloadLength, _icvLength);
        if (_integrity is null)
        {
            _cipher.Encrypt(iv, aad, _plaintext, body, icv);
        }
        else
        {
            _cipher.Encrypt(iv, default, _plaintext, body, default);
            _integrity.Compute(p[..(8 + _ivLength + _payloadLength)], icv);
        }
    }

    [Benchmark]
    public bool Open()
    {
        var p = _packet.AsSpan();
        var aad = p[..8];
        var iv = p.Slice(8, _ivLength);
        var body = p.Slice(8 + _ivLength, _payloadLength);
        var icv = p.Slice(8 + _ivLength + _payloadLength, _icvLength);
        if (_integrity is null)
            return _cipher.Decrypt(iv, aad, body, icv, _scratch);
        return _integrity.Verify(p[..(8 + _ivLength + _payloadLength)], icv)
            && _cipher.Decrypt(iv, default, body, default, _scratch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cipher.Dispose();
        _integrity?.Dispose();
    }
}
