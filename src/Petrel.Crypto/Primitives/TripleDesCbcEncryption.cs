namespace Petrel.Crypto.Primitives;

/// <summary>
/// 3DES-EDE-CBC (RFC 2451): 24-byte key, 8-byte IV and block. Weak; kept for legacy peers. Runs on one
/// BouncyCastle DesEdeEngine per direction and SA: the runtime's TripleDES one-shot CBC calls build a
/// native context per packet (64 B of garbage each), and 3DES has no hardware path to lose.
/// </summary>
public sealed class TripleDesCbcEncryption : EncryptionAlgorithm
{
    public static readonly TripleDesCbcEncryption Instance = new();

    public override int KeyLength => 24;
    public override int IvLength => 8;
    public override int BlockSize => 8;
    public override int IcvLength => 0;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != 24)
            throw new ArgumentException($"3DES key must be 24 bytes, got {key.Length}", nameof(key));
        return new BlockCipherCbcContext(BlockCipherKind.TripleDes, key, 8);
    }
}
