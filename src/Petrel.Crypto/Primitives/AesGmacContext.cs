using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed AES-GMAC "cipher" (RFC 4543 §3.5): the GCM tag of an empty plaintext whose AAD is the ESP
/// AAD (SPI, sequence number), then the IV, then the payload. The AAD is assembled in a scratch buffer
/// owned by the context, grown once to the largest packet seen, so steady state allocates nothing. Not thread-safe.
/// </summary>
internal sealed class AesGmacContext : ICipherContext
{
    private readonly AesGcm _gcm;
    private readonly byte[] _salt;
    private byte[] _scratch = new byte[2048];

    public AesGmacContext(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        _gcm = new AesGcm(key, 16);
        _salt = salt.ToArray();
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[12];
        var authenticated = Assemble(iv, aad, plaintext, nonce);
        _gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, tag[..16], authenticated);
        plaintext.CopyTo(ciphertext);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || tag.Length != 16 || plaintext.Length < ciphertext.Length)
            return false;
        Span<byte> nonce = stackalloc byte[12];
        var authenticated = Assemble(iv, aad, ciphertext, nonce);
        Span<byte> expected = stackalloc byte[16];
        _gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, expected, authenticated);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
            return false;
        ciphertext.CopyTo(plaintext);
        return true;
    }

    private ReadOnlySpan<byte> Assemble(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> payload, Span<byte> nonce)
    {
        _salt.CopyTo(nonce);
        iv[..8].CopyTo(nonce[4..]);
        int length = aad.Length + 8 + payload.Length;
        if (_scratch.Length < length)
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        aad.CopyTo(_scratch);
        iv[..8].CopyTo(_scratch.AsSpan(aad.Length));
        payload.CopyTo(_scratch.AsSpan(aad.Length + 8));
        return _scratch.AsSpan(0, length);
    }

    public void Dispose()
    {
        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
