namespace Petrel.Crypto.Primitives;

/// <summary>
/// AES-GMAC as an AH integrity algorithm (RFC 4543 §4, AUTH_AES_128/192/256_GMAC, IKEv2 ids 9-11). The
/// keying material is the AES key followed by a 4-byte salt (RFC 4543 §3.2 / §7.1). The AH Authentication
/// Data field carries an 8-byte IV followed by the 16-byte GMAC tag, so <see cref="IcvLength"/> is 24:
/// the whole field, which RFC 4302's ICV computation zeroes in the authenticated data.
/// </summary>
public sealed class AesGmacIntegrity : IntegrityAlgorithm
{
    public const int IvBytes = 8;
    public const int TagBytes = 16;
    private readonly int _aesKeyBytes;

    public AesGmacIntegrity(int aesKeyBytes)
    {
        if (aesKeyBytes is not (16 or 24 or 32))
            throw new ArgumentOutOfRangeException(nameof(aesKeyBytes));
        _aesKeyBytes = aesKeyBytes;
    }

    public override int KeyLength => _aesKeyBytes + 4;
    public override int IcvLength => IvBytes + TagBytes;

    public override IIntegrityContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"AES-GMAC keying material must be {KeyLength} bytes, got {key.Length}", nameof(key));
        return new AesGmacIntegrityContext(key[.._aesKeyBytes], key[_aesKeyBytes..]);
    }
}
