namespace Petrel.Crypto.Primitives;

/// <summary>The identity cipher of RFC 2410.</summary>
internal sealed class NullContext : ICipherContext
{
    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag) =>
        plaintext.CopyTo(ciphertext);

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (plaintext.Length < ciphertext.Length)
            return false;
        ciphertext.CopyTo(plaintext);
        return true;
    }

    public void Dispose() { }
}
