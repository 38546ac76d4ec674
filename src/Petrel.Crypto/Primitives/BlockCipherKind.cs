namespace Petrel.Crypto.Primitives;

/// <summary>The block ciphers run through BouncyCastle engines (AES only where a mode needs a raw block function).</summary>
public enum BlockCipherKind
{
    Aes,
    Blowfish,
    Cast128,
    Camellia,
    Serpent,
    Twofish,
    /// <summary>Single DES (FIPS 46-3), 8-byte key with parity bits; weak, for legacy peers only.</summary>
    Des,
    /// <summary>3DES-EDE (RFC 2451), 24-byte key.</summary>
    TripleDes,
}
