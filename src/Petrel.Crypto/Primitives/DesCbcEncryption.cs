namespace Petrel.Crypto.Primitives;

/// <summary>
/// Single DES-CBC (RFC 2405): 8-byte key (56 bits plus parity, parity ignored), 8-byte IV and block, on
/// BouncyCastle's DesEngine. Broken by exhaustive search; only for peers that offer nothing better.
/// </summary>
public sealed class DesCbcEncryption : EncryptionAlgorithm
{
    public static readonly DesCbcEncryption Instance = new();

    public override int KeyLength => 8;
    public override int IvLength => 8;
    public override int BlockSize => 8;
    public override int IcvLength => 0;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != 8)
            throw new ArgumentException($"DES key must be 8 bytes, got {key.Length}", nameof(key));
        return new BlockCipherCbcContext(BlockCipherKind.Des, key, 8);
    }
}
