using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>A keyed ChaCha20-Poly1305 AEAD (RFC 7634 §2). Not thread-safe.</summary>
internal sealed class ChaCha20Poly1305Context : ICipherContext
{
    private readonly ChaCha20Poly1305 _aead;
    private readonly byte[] _salt;

    public ChaCha20Poly1305Context(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        _aead = new ChaCha20Poly1305(key);
        _salt = salt.ToArray();
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[12];
        BuildNonce(iv, nonce);
        _aead.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], tag[..16], aad);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || tag.Length != 16 || plaintext.Length < ciphertext.Length)
            return false;
        Span<byte> nonce = stackalloc byte[12];
        BuildNonce(iv, nonce);
        try
        {
            _aead.Decrypt(nonce, ciphertext, tag, plaintext[..ciphertext.Length], aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The runtime offers no non-throwing AEAD open; contain it here so callers see a bool.
            return false;
        }
    }

    private void BuildNonce(ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        // RFC 7634 §2: the 96-bit nonce is the 32-bit salt followed by the 64-bit IV.
        _salt.CopyTo(nonce);
        iv[..8].CopyTo(nonce[4..]);
    }

    public void Dispose()
    {
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
