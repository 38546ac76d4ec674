namespace Petrel.Crypto.Primitives;

/// <summary>The block ciphers that come from BouncyCastle (all but AES and 3DES, which the runtime provides).</summary>
public enum BlockCipherKind
{
    Aes,
    Blowfish,
    Cast128,
    Camellia,
    Serpent,
    Twofish,
}
