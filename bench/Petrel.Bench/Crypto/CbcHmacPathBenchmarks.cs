using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Esp;

namespace Petrel.Bench.Crypto;

/// <summary>
/// ESP's AES-128-CBC + HMAC-SHA2-256-128 per 1400-byte packet, the way EspProcessor does it
/// (random IV, CBC in place, HMAC over IV and ciphertext; open = verify, then decrypt), on the
/// runtime's path (OpenSSL cipher context with a scratch copy, IncrementalHash HMAC, one CSPRNG
/// call per IV) against Petrel's (AES instructions in place, HMAC on libcrypto's low-level SHA-256,
/// IVs from the SA lane's CSPRNG page, SaLane.FillRandomIv). The ratio is what the data plane gains per packet.
/// </summary>
[MemoryDiagnoser]
public class CbcHmacPathBenchmarks
{
    private readonly byte[] _packet = new byte[16 + 1408 + 16];
    private ICipherContext _runtimeCipher = null!;
    private IIntegrityContext _runtimeMac = null!;
    private ICipherContext _petrelCipher = null!;
    private IIntegrityContext _petrelMac = null!;
    private SaLane _petrelLane = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = new byte[16];
        var macKey = new byte[32];
        new Random(1).NextBytes(key);
        new Random(2).NextBytes(macKey);
        new Random(3).NextBytes(_packet);
        _runtimeCipher = new AesCbcContext(key);
        _runtimeMac = new HmacIntegrityContext(HashKind.Sha256, macKey, 16);
        _petrelCipher = new AesNiCbcContext(key);
        _petrelMac = new NativeHmacContext(NativeDigest.For(HashKind.Sha256)!, macKey, 16);
        _petrelLane = new SaLane(() => _petrelCipher, () => _petrelMac);
    }

    [Benchmark(Baseline = true)]
    public void RuntimeSeal()
    {
        var iv = _packet.AsSpan(0, 16);
        RandomNumberGenerator.Fill(iv);
        var body = _packet.AsSpan(16, 1408);
        _runtimeCipher.Encrypt(iv, default, body, body, default);
        _runtimeMac.Compute(_packet.AsSpan(0, 16 + 1408), _packet.AsSpan(16 + 1408, 16));
    }

    [Benchmark]
    public void PetrelSeal()
    {
        var iv = _packet.AsSpan(0, 16);
        _petrelLane.FillRandomIv(iv);
        var body = _packet.AsSpan(16, 1408);
        _petrelCipher.Encrypt(iv, default, body, body, default);
        _petrelMac.Compute(_packet.AsSpan(0, 16 + 1408), _packet.AsSpan(16 + 1408, 16));
    }

    [Benchmark]
    public bool RuntimeOpen()
    {
        bool ok = _runtimeMac.Verify(_packet.AsSpan(0, 16 + 1408), _packet.AsSpan(16 + 1408, 16));
        var body = _packet.AsSpan(16, 1408);
        _runtimeCipher.Decrypt(_packet.AsSpan(0, 16), default, body, default, body);
        return ok;
    }

    [Benchmark]
    public bool PetrelOpen()
    {
        bool ok = _petrelMac.Verify(_packet.AsSpan(0, 16 + 1408), _packet.AsSpan(16 + 1408, 16));
        var body = _packet.AsSpan(16, 1408);
        _petrelCipher.Decrypt(_packet.AsSpan(0, 16), default, body, default, body);
        return ok;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtimeCipher.Dispose();
        _runtimeMac.Dispose();
        _petrelLane.Dispose(); // the cipher and MAC contexts with it
    }
}
