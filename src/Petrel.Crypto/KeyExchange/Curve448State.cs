using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Petrel.Crypto.KeyExchange;

/// <summary>One side of an X448 exchange.</summary>
internal sealed class Curve448State : KeyExchangeState
{
    private readonly byte[] _k = new byte[56];

    /// <summary>Takes a 56-byte private scalar (RFC 7748 §5: clamping happens inside X448).</summary>
    internal Curve448State(ReadOnlySpan<byte> privateKey)
    {
        privateKey.CopyTo(_k);
        PublicKey = new byte[56];
        X448.GeneratePublicKey(_k, PublicKey);
    }

    public override byte[] PublicKey { get; }

    public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        if (peerPublicKey.Length != 56)
            throw new CryptographicException($"Curve448: public value must be 56 bytes, got {peerPublicKey.Length}");
        var secret = new byte[56];
        // RFC 8031 §2.3 / RFC 7748 §6.2: an all-zero result means a low-order point; abort.
        if (!X448.CalculateAgreement(_k, peerPublicKey, secret))
            throw new CryptographicException("Curve448: shared secret is all zero (low-order peer public value)");
        return secret;
    }

    public override void Dispose() => CryptographicOperations.ZeroMemory(_k);
}
