using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// AES-CBC (RFC 3602 for ESP, RFC 7296 §3.14 for IKE). The caller pads to 16 bytes and
/// supplies a random 16-byte IV per packet; no padding is applied here.
/// </summary>
public sealed class AesCbcEncryption(int keyBytes) : EncryptionAlgorithm
{
    public override int KeyLength { get; } = keyBytes is 16 or 24 or 32
        ? keyBytes
        : throw new ArgumentOutOfRangeException(nameof(keyBytes));

    public override int IvLength => 16;
    public override int BlockSize => 16;
    public override int IcvLength => 0;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"AES-CBC key must be {KeyLength} bytes, got {key.Length}", nameof(key));
        // The processor's AES instructions when present: no OpenSSL call or scratch copy per packet.
        return AesNiCbcContext.IsSupported ? new AesNiCbcContext(key) : new AesCbcContext(key);
    }
}
