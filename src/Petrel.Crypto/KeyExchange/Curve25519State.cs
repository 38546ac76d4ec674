using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>One side of an X25519 exchange.</summary>
internal sealed class Curve25519State : KeyExchangeState
{
    private readonly byte[] _k = new byte[32];

    public Curve25519State(IRandom random)
    {
        // RFC 7748 §5: any 32 random bytes are a private key; clamping happens inside X25519.
        random.Fill(_k);
        PublicKey = new byte[32];
        X25519.GeneratePublicKey(_k, 0, PublicKey, 0);
    }

    /// <summary>For known-answer tests: a fixed private scalar.</summary>
    internal Curve25519State(ReadOnlySpan<byte> privateKey)
    {
        privateKey.CopyTo(_k);
        PublicKey = new byte[32];
        X25519.GeneratePublicKey(_k, 0, PublicKey, 0);
    }

    public override byte[] PublicKey { get; }

    public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        if (peerPublicKey.Length != 32)
            throw new CryptographicException($"Curve25519: public value must be 32 bytes, got {peerPublicKey.Length}");
        var secret = new byte[32];
        // RFC 8031 §2.3 / RFC 7748 §6.1: an all-zero result means a low-order point; abort.
        if (!X25519.CalculateAgreement(_k, 0, peerPublicKey.ToArray(), 0, secret, 0))
            throw new CryptographicException("Curve25519: shared secret is all zero (low-order peer public value)");
        return secret;
    }

    public override void Dispose() => CryptographicOperations.ZeroMemory(_k);
}
