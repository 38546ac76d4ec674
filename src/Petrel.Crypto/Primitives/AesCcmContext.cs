using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>A keyed AES-CCM AEAD on the runtime's AesCcm (RFC 4309 §4 nonce layout). Not thread-safe.</summary>
internal sealed class AesCcmContext : ICipherContext
{
    private readonly AesCcm _ccm;
    private readonly byte[] _salt;
    private readonly int _icv;

    public AesCcmContext(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, int icvBytes)
    {
        _ccm = new AesCcm(key);
        _salt = salt.ToArray();
        _icv = icvBytes;
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[11];
        _salt.CopyTo(nonce);
        iv[..8].CopyTo(nonce[3..]);
        _ccm.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], tag[.._icv], aad);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || tag.Length != _icv || plaintext.Length < ciphertext.Length)
            return false;
        Span<byte> nonce = stackalloc byte[11];
        _salt.CopyTo(nonce);
        iv[..8].CopyTo(nonce[3..]);
        try
        {
            _ccm.Decrypt(nonce, ciphertext, tag, plaintext[..ciphertext.Length], aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _ccm.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
