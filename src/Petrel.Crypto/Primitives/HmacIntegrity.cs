namespace Petrel.Crypto.Primitives;

/// <summary>
/// HMAC integrity transforms with a truncated ICV: HMAC-SHA1-96 (RFC 2404), HMAC-SHA2-256-128,
/// -384-192, -512-256 (RFC 4868), HMAC-MD5-96 (RFC 2403). The key is as long as the hash output
/// (RFC 4868 §2.1.1).
/// </summary>
public sealed class HmacIntegrity : IntegrityAlgorithm
{
    public HmacIntegrity(HashKind hash, int icvBytes, int? keyBytes = null)
    {
        Hash = hash;
        int outBytes = HashKindInfo.OutputBytes(hash);
        if (icvBytes <= 0 || icvBytes > outBytes) throw new ArgumentOutOfRangeException(nameof(icvBytes));
        IcvLength = icvBytes;
        KeyLength = keyBytes ?? outBytes;
    }

    public HashKind Hash { get; }
    public override int KeyLength { get; }
    public override int IcvLength { get; }

    public override IIntegrityContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"HMAC key must be {KeyLength} bytes, got {key.Length}", nameof(key));
        // libcrypto's low-level digest when it is there (a third of the CPU per packet less, see NativeDigest).
        return NativeDigest.For(Hash) is { } native
            ? new NativeHmacContext(native, key, IcvLength)
            : new HmacIntegrityContext(Hash, key, IcvLength);
    }
}
