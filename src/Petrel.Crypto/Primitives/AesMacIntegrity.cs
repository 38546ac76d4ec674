namespace Petrel.Crypto.Primitives;

/// <summary>AES-XCBC-MAC-96 (RFC 3566) and AES-CMAC-96 (RFC 4494): 16-byte key, MAC truncated to 12 bytes.</summary>
public sealed class AesMacIntegrity(AesMacKind kind) : IntegrityAlgorithm
{
    public AesMacKind Kind { get; } = kind;
    public override int KeyLength => 16;
    public override int IcvLength => 12;

    public override IIntegrityContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
            throw new ArgumentException($"{Kind} key must be 16 bytes, got {key.Length}", nameof(key));
        return new AesMacIntegrityContext(Kind, key);
    }
}
