using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>
/// A key exchange method (DH group, ECP curve, X25519/X448, later ML-KEM) identified by its
/// IANA Transform Type 4 id. Pluggable so that RFC 9370 additional key exchanges can reuse it.
/// </summary>
public abstract class KeyExchangeMethod
{
    public abstract ushort Id { get; }

    /// <summary>Length of the KE payload data this method sends, in bytes.</summary>
    public abstract int PublicKeyLength { get; }

    /// <summary>Begins an exchange as initiator (or as a DH responder): generates a key pair.</summary>
    public abstract KeyExchangeState Create(IRandom random);
}

/// <summary>One side's state of a key exchange. Zeroes private material on Dispose.</summary>
public abstract class KeyExchangeState : IDisposable
{
    /// <summary>Our KE payload data (public value, or for a KEM responder the ciphertext after Complete).</summary>
    public abstract byte[] PublicKey { get; }

    /// <summary>
    /// Computes the shared secret from the peer's KE data. Throws
    /// <see cref="System.Security.Cryptography.CryptographicException"/> for an invalid public value
    /// (wrong length, point not on curve, all-zero X25519 result, 1 or p-1 for MODP).
    /// </summary>
    public abstract byte[] ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey);

    public virtual void Dispose() { }
}
