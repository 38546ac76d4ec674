namespace Petrel.Crypto.Primitives;

/// <summary>
/// Counter mode for ESP and IKEv2: AES-CTR (RFC 3686, RFC 5930) and Camellia-CTR (RFC 5528). The keying
/// material is the key followed by a 4-byte nonce; the counter block is nonce || 8-byte IV || counter,
/// with the 32-bit counter starting at 1 (RFC 3686 §4).
/// </summary>
public sealed class CounterModeEncryption : EncryptionAlgorithm
{
    private readonly int _cipherKeyBytes;

    public CounterModeEncryption(BlockCipherKind kind, int cipherKeyBytes)
    {
        if (kind is not (BlockCipherKind.Aes or BlockCipherKind.Camellia))
            throw new ArgumentOutOfRangeException(nameof(kind));
        Kind = kind;
        _cipherKeyBytes = cipherKeyBytes;
    }

    public BlockCipherKind Kind { get; }
    public override int KeyLength => _cipherKeyBytes + 4;
    public override int IvLength => 8;
    public override int BlockSize => 4; // RFC 3686 §3: no block padding, only the 4-byte ESP alignment
    public override int IcvLength => 0;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"{Kind}-CTR keying material must be {KeyLength} bytes, got {key.Length}", nameof(key));
        return new CounterModeContext(Kind, key[.._cipherKeyBytes], key[_cipherKeyBytes..]);
    }
}
