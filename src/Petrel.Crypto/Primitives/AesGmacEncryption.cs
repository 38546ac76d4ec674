namespace Petrel.Crypto.Primitives;

/// <summary>
/// ENCR_NULL_AUTH_AES_GMAC for ESP (RFC 4543 §3): the payload is not encrypted but authenticated with GMAC.
/// Keying material is the AES key followed by a 4-byte salt; 8-byte IV; 16-byte ICV.
/// </summary>
public sealed class AesGmacEncryption : EncryptionAlgorithm
{
    private readonly int _aesKeyBytes;

    public AesGmacEncryption(int aesKeyBytes)
    {
        if (aesKeyBytes is not (16 or 24 or 32)) throw new ArgumentOutOfRangeException(nameof(aesKeyBytes));
        _aesKeyBytes = aesKeyBytes;
    }

    public override int KeyLength => _aesKeyBytes + 4;
    public override int IvLength => 8;
    public override int BlockSize => 4;
    public override int IcvLength => 16;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"AES-GMAC keying material must be {KeyLength} bytes, got {key.Length}", nameof(key));
        return new AesGmacContext(key[.._aesKeyBytes], key[_aesKeyBytes..]);
    }
}
