using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed AES-GCM AEAD. .NET's <see cref="AesGcm"/> accepts 12- and 16-byte tags but not the
/// 8-byte ICV of RFC 4106 (AES_GCM_8). A GCM tag of t bits is the leftmost t bits of the full
/// tag (NIST SP 800-38D §7.1, MSB_t), so the 8-byte variant computes the full tag and truncates;
/// to verify it, the CTR keystream is applied once to recover the plaintext, once more to
/// recompute the tag over the received ciphertext, and a third time to restore the plaintext.
/// All of it is allocation-free and never throws on a bad ICV. Not thread-safe.
/// </summary>
internal sealed class AesGcmContext : ICipherContext
{
    private readonly AesGcm _gcm;
    private readonly byte[] _salt;
    private readonly int _icv;
    private readonly bool _truncated;

    public AesGcmContext(ReadOnlySpan<byte> aesKey, ReadOnlySpan<byte> salt, int icvBytes)
    {
        _icv = icvBytes;
        _truncated = icvBytes < 12;
        _gcm = new AesGcm(aesKey, _truncated ? 16 : icvBytes);
        _salt = salt.ToArray();
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[12];
        BuildNonce(iv, nonce);
        if (!_truncated)
        {
            _gcm.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], tag[.._icv], aad);
            return;
        }
        Span<byte> full = stackalloc byte[16];
        _gcm.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], full, aad);
        full[.._icv].CopyTo(tag);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || tag.Length != _icv || plaintext.Length < ciphertext.Length)
            return false;
        Span<byte> nonce = stackalloc byte[12];
        BuildNonce(iv, nonce);
        var output = plaintext[..ciphertext.Length];
        if (!_truncated)
        {
            try
            {
                _gcm.Decrypt(nonce, ciphertext, tag, output, aad);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                // AesGcm has no non-throwing decrypt; the output is already zeroed by the runtime.
                return false;
            }
        }

        Span<byte> full = stackalloc byte[16];
        _gcm.Encrypt(nonce, ciphertext, output, full, aad);   // output = plaintext (CTR is symmetric)
        _gcm.Encrypt(nonce, output, output, full, aad);       // output = ciphertext again, full = its tag
        bool ok = CryptographicOperations.FixedTimeEquals(full[.._icv], tag);
        if (!ok)
        {
            output.Clear();
            return false;
        }
        _gcm.Encrypt(nonce, output, output, full, aad);       // output = plaintext
        return true;
    }

    private void BuildNonce(ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        // RFC 4106 §4: nonce = salt (4 bytes, from the key material) || explicit IV (8 bytes).
        _salt.CopyTo(nonce);
        iv[..8].CopyTo(nonce[4..]);
    }

    public void Dispose()
    {
        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
