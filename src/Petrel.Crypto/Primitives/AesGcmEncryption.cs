namespace Petrel.Crypto.Primitives;

/// <summary>
/// AES-GCM for ESP (RFC 4106) and IKEv2 (RFC 5282): the keying material is the AES key followed
/// by a 4-byte salt; the 12-byte nonce is salt || 8-byte explicit IV; ICV of 8, 12 or 16 bytes.
/// </summary>
public sealed class AesGcmEncryption : EncryptionAlgorithm
{
    private readonly int _aesKeyBytes;

    public AesGcmEncryption(int aesKeyBytes, int icvBytes)
    {
        if (aesKeyBytes is not (16 or 24 or 32)) throw new ArgumentOutOfRangeException(nameof(aesKeyBytes));
        if (icvBytes is not (8 or 12 or 16)) throw new ArgumentOutOfRangeException(nameof(icvBytes));
        _aesKeyBytes = aesKeyBytes;
        IcvLength = icvBytes;
    }

    /// <summary>AES key plus the 4-byte salt (RFC 4106 §8.1).</summary>
    public override int KeyLength => _aesKeyBytes + 4;
    public override int IvLength => 8;
    public override int BlockSize => 4; // RFC 4303 §2.4: ESP still aligns the trailer to 4 bytes
    public override int IcvLength { get; }

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"AES-GCM keying material must be {KeyLength} bytes, got {key.Length}", nameof(key));
        return new AesGcmContext(key[.._aesKeyBytes], key[_aesKeyBytes..], IcvLength);
    }
}
