using System.Security.Cryptography;
using Petrel.Crypto.Primitives;
using Petrel.Ike.Keying;

namespace Petrel.Ike.V2.IkeSaInit;

/// <summary>
/// The responder's IKE_SA_INIT crypto (RFC 7296 §2.14): our key pair, the shared secret with the initiator's KE value,
/// SKEYSEED and the SK_* keys. Runs on a crypto worker from copies of its inputs; <see cref="Completed"/> builds the
/// answer on the engine thread.
/// </summary>
internal sealed class InitKeying : CryptoJob
{
    private readonly IkeCipherSuite _suite;
    private readonly byte[] _peerKe, _ni, _nr;
    private readonly ulong _spiI, _spiR;
    private readonly IRandom _random;

    public InitKeying(IkeCipherSuite suite, byte[] peerKe, IkeSa sa, IRandom random)
    {
        _suite = suite;
        _peerKe = peerKe;
        _ni = sa.Ni;
        _nr = sa.Nr;
        _spiI = sa.SpiI;
        _spiR = sa.SpiR;
        _random = random;
    }

    public override string Operation => "IKE_SA_INIT key exchange (responder)";

    /// <summary>Our KE payload data.</summary>
    public byte[] PublicKey { get; private set; } = [];

    /// <summary>The derived keys; whoever takes them sets this to null.</summary>
    public IkeSaKeys? Keys { get; set; }

    public Action<InitKeying> Completed { get; set; } = _ => { };

    private protected override void Run()
    {
        using var kex = _suite.KeyExchange!.Create(_random);
        byte[] shared = kex.ComputeSharedSecret(_peerKe);
        try
        {
            // A KEM responder's KE data (the ciphertext) exists only after the encapsulation.
            PublicKey = kex.PublicKey;
            Keys = _suite.DeriveKeys(shared, _ni, _nr, _spiI, _spiR);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    internal override void Apply() => Completed(this);

    internal override void Discard()
    {
        Keys?.Dispose();
        Keys = null;
    }
}
