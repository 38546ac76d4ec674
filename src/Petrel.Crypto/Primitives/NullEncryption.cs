namespace Petrel.Crypto.Primitives;

/// <summary>ESP NULL encryption (RFC 2410): integrity only, no confidentiality, no IV.</summary>
public sealed class NullEncryption : EncryptionAlgorithm
{
    public static readonly NullEncryption Instance = new();

    public override int KeyLength => 0;
    public override int IvLength => 0;
    public override int BlockSize => 4; // RFC 2410 §2: block size 1, so only ESP's 4-byte alignment applies
    public override int IcvLength => 0;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != 0)
            throw new ArgumentException("NULL encryption takes no key", nameof(key));
        return new NullContext();
    }
}
