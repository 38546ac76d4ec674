using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>
/// One side of an ML-KEM exchange. The role is fixed by the first call: reading PublicKey makes this
/// the initiator (a key pair is generated), calling ComputeSharedSecret first makes it the responder.
/// </summary>
internal sealed class MlKemState : KeyExchangeState
{
    private readonly MlKemMethod _method;
    private readonly IRandom _random;
    private MLKemPrivateKeyParameters? _privateKey;
    private byte[]? _publicKey;
    private bool _done;

    public MlKemState(MlKemMethod method, IRandom random)
    {
        _method = method;
        _random = random;
    }

    /// <summary>For known-answer tests: an initiator from a 64-byte FIPS 203 seed (d || z).</summary>
    internal MlKemState(MlKemMethod method, byte[] seed)
        : this(method, SystemRandom.Instance)
    {
        _privateKey = MLKemPrivateKeyParameters.FromSeed(method.Parameters, seed);
        _publicKey = _privateKey.GetPublicKeyEncoded();
    }

    public override byte[] PublicKey
    {
        get
        {
            if (_publicKey is null)
            {
                // Initiator: ML-KEM.KeyGen from a 64-byte seed drawn from IRandom (FIPS 203 §7.1).
                var seed = new byte[64];
                _random.Fill(seed);
                _privateKey = MLKemPrivateKeyParameters.FromSeed(_method.Parameters, seed);
                CryptographicOperations.ZeroMemory(seed);
                _publicKey = _privateKey.GetPublicKeyEncoded();
            }
            return _publicKey;
        }
    }

    public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        if (_done)
            throw new InvalidOperationException("ML-KEM: the shared secret was already computed");
        _done = true;
        if (_privateKey is not null)
        {
            // Initiator: decapsulate the responder's ciphertext. ML-KEM decapsulation never fails on a wrong
            // ciphertext (implicit rejection gives an unrelated secret); only the length is checked here.
            if (peerPublicKey.Length != _method.CiphertextLength)
                throw new CryptographicException($"ML-KEM: ciphertext must be {_method.CiphertextLength} bytes, got {peerPublicKey.Length}");
            var decapsulator = new MLKemDecapsulator(_method.Parameters);
            decapsulator.Init(_privateKey);
            var secret = new byte[decapsulator.SecretLength];
            decapsulator.Decapsulate(peerPublicKey, secret);
            return secret;
        }

        // Responder: encapsulate to the initiator's key; our KE data becomes the ciphertext.
        if (peerPublicKey.Length != _method.PublicKeyLength)
            throw new CryptographicException($"ML-KEM: encapsulation key must be {_method.PublicKeyLength} bytes, got {peerPublicKey.Length}");
        MLKemPublicKeyParameters key;
        try
        {
            // FIPS 203 §7.2 input check: the encoded coefficients must be reduced modulo q.
            key = MLKemPublicKeyParameters.FromEncoding(_method.Parameters, peerPublicKey.ToArray());
        }
        catch (ArgumentException e)
        {
            throw new CryptographicException("ML-KEM: invalid encapsulation key", e);
        }
        var encapsulator = new MLKemEncapsulator(_method.Parameters);
        encapsulator.Init(new Org.BouncyCastle.Crypto.Parameters.ParametersWithRandom(key, new IRandomSecureRandom(_random)));
        var ciphertext = new byte[encapsulator.EncapsulationLength];
        var shared = new byte[encapsulator.SecretLength];
        encapsulator.Encapsulate(ciphertext, shared);
        _publicKey = ciphertext;
        return shared;
    }

    public override void Dispose()
    {
        _privateKey = null;
    }
}
