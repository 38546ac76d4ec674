namespace Petrel.Crypto.Primitives;

/// <summary>
/// An encryption transform for IKE (SK payload) or ESP. For AEAD transforms (GCM, CCM,
/// ChaCha20-Poly1305) the key includes the salt (RFC 4106 §8.1, RFC 5282, RFC 7634),
/// and IvLength is the explicit IV carried on the wire (8 bytes).
/// </summary>
public abstract class EncryptionAlgorithm
{
    /// <summary>Keying material length in bytes, including any salt/nonce (e.g. 20 for AES-128-GCM, 36 for ChaCha20-Poly1305).</summary>
    public abstract int KeyLength { get; }

    /// <summary>Length of the explicit IV on the wire.</summary>
    public abstract int IvLength { get; }

    /// <summary>Block size the plaintext must be padded to (1 for stream and AEAD-CTR modes).</summary>
    public abstract int BlockSize { get; }

    /// <summary>ICV length for AEAD transforms, 0 otherwise.</summary>
    public abstract int IcvLength { get; }

    public bool IsAead => IcvLength > 0;

    /// <summary>A keyed context; reused for every packet of one SA.</summary>
    public abstract ICipherContext CreateContext(ReadOnlySpan<byte> key);
}

/// <summary>
/// A keyed cipher. For non-AEAD ciphers aad and tag are empty and the plaintext is a
/// multiple of BlockSize. Implementations must not allocate per call and never throw for
/// a failed authentication: Decrypt returns false.
/// </summary>
public interface ICipherContext : IDisposable
{
    void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag);

    bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext);
}
