using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;

namespace Petrel.Bench.Crypto;

/// <summary>
/// The cost of one side of a key exchange per group: generate our key pair (or, for ML-KEM, the
/// responder's encapsulation) and compute the shared secret from the peer's KE data.
/// </summary>
[MemoryDiagnoser]
public class KeyExchangeBenchmarks
{
    /// <summary>All groups, or the comma-separated keywords in PETREL_BENCH_GROUPS (bench/crypto.sh).</summary>
    public static IEnumerable<string> Groups => BenchSelection.FromEnvironment("PETREL_BENCH_GROUPS",
        ["modp1024", "modp2048", "modp3072", "modp4096", "modp8192", "modp2048s256", "ecp256", "ecp384", "ecp521",
         "ecp256bp", "curve25519", "curve448", "mlkem768"]);

    [ParamsSource(nameof(Groups))]
    public string Group { get; set; } = "ecp256";

    private KeyExchangeMethod _method = null!;
    private byte[] _peerPublic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _method = AlgorithmCatalog.FindKeyword(Group)!.KeyExchange!;
        using var peer = _method.Create(SystemRandom.Instance);
        _peerPublic = peer.PublicKey;
    }

    [Benchmark]
    public byte[] GenerateAndAgree()
    {
        using var state = _method.Create(SystemRandom.Instance);
        if (_method is MlKemMethod)
            return state.ComputeSharedSecret(_peerPublic); // responder: encapsulate to the peer's key
        _ = state.PublicKey;
        return state.ComputeSharedSecret(_peerPublic);
    }
}
