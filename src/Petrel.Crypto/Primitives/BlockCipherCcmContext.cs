using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// CCM (RFC 3610) over a 16-byte-block BouncyCastle engine, for Camellia-CCM (RFC 5529), with the
/// RFC 4309 layout: 11-byte nonce, so the length field L is 4 bytes. <see cref="Seal"/> and
/// <see cref="Open"/> take any nonce of 7-13 bytes (L = 15 - nonce length) so the mode can be checked
/// against the Wycheproof AES-CCM vectors with an AES engine. Written here rather than using
/// BouncyCastle's CcmBlockCipher so that a packet allocates nothing and a bad ICV is a false return,
/// not an exception. Not thread-safe.
/// </summary>
internal sealed class BlockCipherCcmContext : ICipherContext
{
    private readonly BlockCipherEngine _engine;
    private readonly byte[] _salt;
    private readonly int _icv;

    public BlockCipherCcmContext(BlockCipherKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, int icvBytes)
    {
        _engine = new BlockCipherEngine(kind, true, key);
        _salt = salt.ToArray();
        _icv = icvBytes;
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[11];
        BuildNonce(iv, nonce);
        Seal(nonce, aad, plaintext, ciphertext, tag[.._icv]);
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || tag.Length != _icv || plaintext.Length < ciphertext.Length)
            return false;
        Span<byte> nonce = stackalloc byte[11];
        BuildNonce(iv, nonce);
        return Open(nonce, aad, ciphertext, tag, plaintext);
    }

    /// <summary>CCM encryption with an explicit nonce (7-13 bytes) and tag length (4-16, even).</summary>
    internal void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        if (nonce.Length is < 7 or > 13 || tag.Length is < 4 or > 16 || (tag.Length & 1) != 0)
            throw new ArgumentException("CCM nonce must be 7-13 bytes and the tag 4-16 even bytes");
        Span<byte> t = stackalloc byte[16];
        CbcMac(nonce, aad, plaintext, tag.Length, t);
        Ctr(nonce, plaintext, ciphertext);
        Span<byte> s0 = stackalloc byte[16];
        CounterBlock(nonce, 0, s0);
        _engine.ProcessBlock(s0, s0);
        for (int i = 0; i < tag.Length; i++)
            tag[i] = (byte)(t[i] ^ s0[i]);
    }

    /// <summary>CCM decryption; false (and a cleared output) for a bad tag or unusable sizes.</summary>
    internal bool Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (nonce.Length is < 7 or > 13 || tag.Length is < 4 or > 16 || (tag.Length & 1) != 0 || plaintext.Length < ciphertext.Length)
            return false;
        if (nonce.Length > 11 && (long)ciphertext.Length >= 1L << (8 * (15 - nonce.Length)))
            return false;
        var output = plaintext[..ciphertext.Length];
        Ctr(nonce, ciphertext, output);
        Span<byte> t = stackalloc byte[16];
        CbcMac(nonce, aad, output, tag.Length, t);
        Span<byte> s0 = stackalloc byte[16];
        CounterBlock(nonce, 0, s0);
        _engine.ProcessBlock(s0, s0);
        for (int i = 0; i < tag.Length; i++)
            t[i] ^= s0[i];
        if (!CryptographicOperations.FixedTimeEquals(t[..tag.Length], tag))
        {
            output.Clear();
            return false;
        }
        return true;
    }

    private void BuildNonce(ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        // RFC 4309 §4: nonce = 3-byte salt || 8-byte IV.
        _salt.CopyTo(nonce);
        iv[..8].CopyTo(nonce[3..]);
    }

    private static void CounterBlock(ReadOnlySpan<byte> nonce, uint i, Span<byte> block)
    {
        // RFC 3610 §2.3: A_i = Flags (L-1) || Nonce || Counter i, the counter in the last L bytes.
        int l = 15 - nonce.Length;
        block.Clear();
        block[0] = (byte)(l - 1);
        nonce.CopyTo(block[1..]);
        WriteLength(block[(16 - l)..], i);
    }

    /// <summary>Big-endian value in the last min(4, field) bytes of an L-byte field (higher bytes stay zero).</summary>
    private static void WriteLength(Span<byte> field, uint value)
    {
        if (field.Length >= 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(field[^4..], value);
            return;
        }
        for (int k = field.Length - 1; k >= 0; k--, value >>= 8)
            field[k] = (byte)value;
    }

    private void Ctr(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> s = stackalloc byte[16];
        uint counter = 1;
        for (int off = 0; off < input.Length; off += 16)
        {
            CounterBlock(nonce, counter++, a);
            _engine.ProcessBlock(a, s);
            int n = Math.Min(16, input.Length - off);
            for (int i = 0; i < n; i++)
                output[off + i] = (byte)(input[off + i] ^ s[i]);
        }
    }

    private void CbcMac(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> message, int tagLength, Span<byte> x)
    {
        // RFC 3610 §2.2: B_0 = Flags || Nonce || l(m); Flags = 64*Adata + 8*M' + L', M' = (M-2)/2, L' = L-1.
        int l = 15 - nonce.Length;
        Span<byte> b = stackalloc byte[16];
        b.Clear();
        b[0] = (byte)((aad.Length > 0 ? 64 : 0) | (((tagLength - 2) / 2) << 3) | (l - 1));
        nonce.CopyTo(b[1..]);
        WriteLength(b[(16 - l)..], (uint)message.Length);
        _engine.ProcessBlock(b, x);

        if (aad.Length > 0)
        {
            // l(a) as 2 bytes (ESP AAD is far below 2^16 - 2^8), then a, zero-padded to whole blocks.
            if (aad.Length >= 0xFF00)
                throw new ArgumentException("CCM additional data too long", nameof(aad));
            int pos = 2;
            b.Clear();
            BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)aad.Length);
            foreach (var octet in aad)
            {
                b[pos++] = octet;
                if (pos == 16)
                {
                    MixBlock(b, x);
                    pos = 0;
                    b.Clear();
                }
            }
            if (pos > 0)
                MixBlock(b, x);
        }

        for (int off = 0; off < message.Length; off += 16)
        {
            int n = Math.Min(16, message.Length - off);
            b.Clear();
            message.Slice(off, n).CopyTo(b);
            MixBlock(b, x);
        }
    }

    private void MixBlock(ReadOnlySpan<byte> block, Span<byte> x)
    {
        for (int i = 0; i < 16; i++)
            x[i] ^= block[i];
        _engine.ProcessBlock(x, x);
    }

    public void Dispose()
    {
        _engine.Clear();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
