namespace Petrel.Crypto.Primitives;

/// <summary>
/// CBC mode over a BouncyCastle block cipher: Blowfish (RFC 2451), CAST-128 (RFC 2451/2144), Camellia
/// (RFC 4312), Serpent and Twofish (strongSwan private-use ids). The IV is one block; the caller pads.
/// </summary>
public sealed class BlockCipherCbcEncryption : EncryptionAlgorithm
{
    public BlockCipherCbcEncryption(BlockCipherKind kind, int keyBytes)
    {
        Kind = kind;
        KeyLength = keyBytes;
        BlockSize = BlockCipherEngines.BlockSize(kind);
    }

    public BlockCipherKind Kind { get; }
    public override int KeyLength { get; }
    public override int IvLength => BlockSize;
    public override int BlockSize { get; }
    public override int IcvLength => 0;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"{Kind}-CBC key must be {KeyLength} bytes, got {key.Length}", nameof(key));
        return new BlockCipherCbcContext(Kind, key, BlockSize);
    }
}
