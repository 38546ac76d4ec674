namespace Petrel.Crypto.Primitives;

/// <summary>
/// ChaCha20-Poly1305 for ESP and IKEv2 (RFC 7634): 32-byte key followed by a 4-byte salt,
/// nonce = salt || 8-byte explicit IV, 16-byte ICV.
/// </summary>
public sealed class ChaCha20Poly1305Encryption : EncryptionAlgorithm
{
    public static readonly ChaCha20Poly1305Encryption Instance = new();

    public override int KeyLength => 36;
    public override int IvLength => 8;
    public override int BlockSize => 4; // RFC 7634 §2: padding only aligns the ESP trailer to 4 bytes
    public override int IcvLength => 16;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"ChaCha20-Poly1305 keying material must be 36 bytes, got {key.Length}", nameof(key));
        return new ChaCha20Poly1305Context(key[..32], key[32..]);
    }
}
