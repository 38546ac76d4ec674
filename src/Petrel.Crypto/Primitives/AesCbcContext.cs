using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed AES-CBC cipher. The one-shot span APIs of <see cref="Aes"/> reuse the key schedule
/// held by the instance and do not allocate per call. Not thread-safe: one context per SA direction.
/// </summary>
internal sealed class AesCbcContext : ICipherContext
{
    private readonly Aes _aes;

    public AesCbcContext(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        _aes.EncryptCbc(plaintext, iv, ciphertext, PaddingMode.None);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        // A ciphertext that is not a whole number of blocks is malformed input, not an exception.
        if (iv.Length != 16 || (ciphertext.Length & 15) != 0 || plaintext.Length < ciphertext.Length)
            return false;
        _aes.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
        return true;
    }

    public void Dispose() => _aes.Dispose();
}
