namespace Petrel.Crypto.Primitives;

/// <summary>A keyed AES-CBC cipher on persistent native contexts: no allocation per packet. Not thread-safe.</summary>
internal sealed class AesCbcContext(ReadOnlySpan<byte> key) : ICipherContext
{
    private readonly PersistentAes _aes = new(key);

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        if ((plaintext.Length & 15) != 0)
            throw new ArgumentException("CBC plaintext must be a multiple of 16 bytes", nameof(plaintext));
        _aes.EncryptCbc(iv, plaintext, ciphertext);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        // A ciphertext that is not a whole number of blocks is malformed input, not an exception.
        if (iv.Length != 16 || (ciphertext.Length & 15) != 0 || plaintext.Length < ciphertext.Length)
            return false;
        _aes.DecryptCbc(iv, ciphertext, plaintext);
        return true;
    }

    public void Dispose() => _aes.Dispose();
}
