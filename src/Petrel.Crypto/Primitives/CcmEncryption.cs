namespace Petrel.Crypto.Primitives;

/// <summary>
/// CCM for ESP and IKEv2: AES-CCM (RFC 4309, RFC 5282) and Camellia-CCM (RFC 5529). The keying material is
/// the key followed by a 3-byte salt; the 11-byte nonce is salt || 8-byte IV; ICV of 8, 12 or 16 bytes.
/// </summary>
public sealed class CcmEncryption : EncryptionAlgorithm
{
    private readonly int _cipherKeyBytes;

    public CcmEncryption(BlockCipherKind kind, int cipherKeyBytes, int icvBytes)
    {
        if (kind is not (BlockCipherKind.Aes or BlockCipherKind.Camellia))
            throw new ArgumentOutOfRangeException(nameof(kind));
        if (icvBytes is not (8 or 12 or 16))
            throw new ArgumentOutOfRangeException(nameof(icvBytes));
        Kind = kind;
        _cipherKeyBytes = cipherKeyBytes;
        IcvLength = icvBytes;
    }

    public BlockCipherKind Kind { get; }
    public override int KeyLength => _cipherKeyBytes + 3;
    public override int IvLength => 8;
    public override int BlockSize => 4;
    public override int IcvLength { get; }

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"{Kind}-CCM keying material must be {KeyLength} bytes, got {key.Length}", nameof(key));
        return Kind == BlockCipherKind.Aes
            ? new AesCcmContext(key[.._cipherKeyBytes], key[_cipherKeyBytes..], IcvLength)
            : new BlockCipherCcmContext(Kind, key[.._cipherKeyBytes], key[_cipherKeyBytes..], IcvLength);
    }
}
