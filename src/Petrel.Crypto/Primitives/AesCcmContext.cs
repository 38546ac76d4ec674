using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed AES-CCM AEAD for ESP and IKEv2 (RFC 4309 §4 nonce layout: 3-byte salt || 8-byte IV, so the
/// RFC 3610 length field L is 4 bytes). Built on <see cref="PersistentAes"/> rather than the runtime's
/// AesCcm, which creates a native context per call (64 B of garbage per packet): the CBC-MAC runs as one
/// CBC pass over B_0, the encoded AAD and the padded message, the keystream as one ECB pass over the
/// counter blocks A_0..A_m. Both go through native AES with no allocation once the scratch buffer has
/// grown to the largest packet. Not thread-safe.
/// </summary>
internal sealed class AesCcmContext : ICipherContext
{
    private const int NonceBytes = 11;
    private const int LengthBytes = 15 - NonceBytes;
    private readonly PersistentAes _aes;
    private readonly byte[] _salt;
    private readonly int _icv;
    private byte[] _scratch = new byte[2048];

    public AesCcmContext(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, int icvBytes)
    {
        _aes = new PersistentAes(key);
        _salt = salt.ToArray();
        _icv = icvBytes;
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        BuildNonce(iv, nonce);
        Span<byte> t = stackalloc byte[16];
        CbcMac(nonce, aad, plaintext, t);
        Span<byte> s0 = stackalloc byte[16];
        Ctr(nonce, plaintext, ciphertext[..plaintext.Length], s0);
        for (int i = 0; i < _icv; i++)
            tag[i] = (byte)(t[i] ^ s0[i]);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || tag.Length != _icv || plaintext.Length < ciphertext.Length || aad.Length >= 0xFF00)
            return false;
        Span<byte> nonce = stackalloc byte[NonceBytes];
        BuildNonce(iv, nonce);
        var output = plaintext[..ciphertext.Length];
        Span<byte> s0 = stackalloc byte[16];
        Ctr(nonce, ciphertext, output, s0);
        Span<byte> t = stackalloc byte[16];
        CbcMac(nonce, aad, output, t);
        for (int i = 0; i < _icv; i++)
            t[i] ^= s0[i];
        if (!CryptographicOperations.FixedTimeEquals(t[.._icv], tag))
        {
            output.Clear();
            return false;
        }
        return true;
    }

    private void BuildNonce(ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        _salt.CopyTo(nonce);
        iv[..8].CopyTo(nonce[3..]);
    }

    /// <summary>RFC 3610 §2.2: T = CBC-MAC over B_0 || l(a) || a || pad || m || pad, zero IV.</summary>
    private void CbcMac(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> message, Span<byte> t)
    {
        // ESP's AAD (SPI, sequence number, high ESN bits) is far below 2^16 - 2^8, so l(a) is 2 bytes.
        if (aad.Length >= 0xFF00)
            throw new ArgumentException("CCM additional data too long", nameof(aad));
        int aadBlocks = aad.Length == 0 ? 0 : (2 + aad.Length + 15) / 16;
        int total = 16 + aadBlocks * 16 + (message.Length + 15) / 16 * 16;
        var s = Scratch(total).AsSpan(0, total);
        s.Clear();
        // B_0 = Flags || Nonce || l(m); Flags = 64*Adata + 8*M' + L', M' = (M-2)/2, L' = L-1.
        s[0] = (byte)((aad.Length > 0 ? 64 : 0) | (((_icv - 2) / 2) << 3) | (LengthBytes - 1));
        nonce.CopyTo(s[1..]);
        BinaryPrimitives.WriteUInt32BigEndian(s[12..16], (uint)message.Length);
        if (aad.Length > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s[16..], (ushort)aad.Length);
            aad.CopyTo(s[18..]);
        }
        message.CopyTo(s[(16 + aadBlocks * 16)..]);
        _aes.CbcMac(s, t);
    }

    /// <summary>RFC 3610 §2.3: keystream S_i = E(A_i), A_i = Flags(L-1) || Nonce || i; S_0 masks the tag.</summary>
    private void Ctr(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output, Span<byte> s0)
    {
        int blocks = 1 + (input.Length + 15) / 16;
        var s = Scratch(blocks * 16).AsSpan(0, blocks * 16);
        for (int i = 0; i < blocks; i++)
        {
            var a = s.Slice(i * 16, 16);
            a[0] = LengthBytes - 1;
            nonce.CopyTo(a[1..]);
            BinaryPrimitives.WriteUInt32BigEndian(a[12..], (uint)i);
        }
        _aes.EncryptEcb(s, s);
        s[..16].CopyTo(s0);
        var stream = s[16..];
        for (int i = 0; i < input.Length; i++)
            output[i] = (byte)(input[i] ^ stream[i]);
        CryptographicOperations.ZeroMemory(s);
    }

    private byte[] Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            CryptographicOperations.ZeroMemory(_scratch);
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
        return _scratch;
    }

    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
        CryptographicOperations.ZeroMemory(_scratch);
    }
}
