using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AesNi = System.Runtime.Intrinsics.X86.Aes;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// AES-CBC (NIST SP 800-38A §6.2) on the processor's AES instructions, for ESP's AES-CBC SAs.
/// The runtime's CBC goes through an OpenSSL cipher context per call: an error-queue clear, a copy
/// into a scratch buffer and back (its transforms cannot restart at a new IV, see
/// <see cref="PersistentAes"/>), and OpenSSL's own dispatch; per 1400-byte packet that cost about
/// as much as the encryption. Here a packet is one pass over the caller's buffer, in place.
/// Encryption is serial by nature (each block needs the previous ciphertext); decryption runs eight
/// blocks at once so the AES unit's pipeline stays full. Round keys live in native memory wiped on
/// dispose. Used only where <see cref="IsSupported"/>; <see cref="AesCbcContext"/> otherwise.
/// Not thread-safe (each packet thread has its own context).
/// </summary>
internal sealed unsafe class AesNiCbcContext : ICipherContext
{
    private const int MaxRounds = 14;
    private readonly int _rounds;
    private Vector128<byte>* _keys; // encryption round keys 0..Nr, then decryption round keys 0..Nr

    public AesNiCbcContext(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 24 or 32))
            throw new ArgumentException("AES key must be 16, 24 or 32 bytes", nameof(key));
        _rounds = key.Length / 4 + 6;
        _keys = (Vector128<byte>*)NativeMemory.AlignedAlloc(2 * (MaxRounds + 1) * 16, 16);
        ExpandKey(key);
    }

    ~AesNiCbcContext() => Free();

    public static bool IsSupported => AesNi.IsSupported;

    private Vector128<byte>* Dec => _keys + MaxRounds + 1;

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        if ((plaintext.Length & 15) != 0)
            throw new ArgumentException("CBC plaintext must be a multiple of 16 bytes", nameof(plaintext));
        if (iv.Length != 16 || ciphertext.Length < plaintext.Length)
            throw new ArgumentException("CBC needs a 16-byte IV and room for the ciphertext");
        ObjectDisposedException.ThrowIf(_keys == null, this);
        var k = _keys;
        int last = _rounds;
        fixed (byte* ivp = iv, src = plaintext, dst = ciphertext)
        {
            var chain = Vector128.Load(ivp);
            var k0 = k[0];
            var kLast = k[last];
            for (int off = 0; off < plaintext.Length; off += 16)
            {
                var b = Vector128.Load(src + off) ^ chain ^ k0;
                for (int r = 1; r < last; r++)
                    b = AesNi.Encrypt(b, k[r]);
                chain = AesNi.EncryptLast(b, kLast);
                chain.Store(dst + off);
            }
        }
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        // A ciphertext that is not a whole number of blocks is malformed input, not an exception.
        if (iv.Length != 16 || (ciphertext.Length & 15) != 0 || plaintext.Length < ciphertext.Length)
            return false;
        ObjectDisposedException.ThrowIf(_keys == null, this);
        var d = Dec;
        int last = _rounds;
        int n = ciphertext.Length;
        fixed (byte* ivp = iv, src = ciphertext, dst = plaintext)
        {
            var previous = Vector128.Load(ivp);
            var d0 = d[0];
            var dLast = d[last];
            int off = 0;
            // Eight independent blocks per round key: every ciphertext block is loaded before any
            // plaintext is stored, so decrypting in place (dst == src) is safe.
            for (; off + 128 <= n; off += 128)
            {
                byte* s = src + off;
                var c0 = Vector128.Load(s);
                var c1 = Vector128.Load(s + 16);
                var c2 = Vector128.Load(s + 32);
                var c3 = Vector128.Load(s + 48);
                var c4 = Vector128.Load(s + 64);
                var c5 = Vector128.Load(s + 80);
                var c6 = Vector128.Load(s + 96);
                var c7 = Vector128.Load(s + 112);
                var b0 = c0 ^ d0; var b1 = c1 ^ d0; var b2 = c2 ^ d0; var b3 = c3 ^ d0;
                var b4 = c4 ^ d0; var b5 = c5 ^ d0; var b6 = c6 ^ d0; var b7 = c7 ^ d0;
                for (int r = 1; r < last; r++)
                {
                    var rk = d[r];
                    b0 = AesNi.Decrypt(b0, rk); b1 = AesNi.Decrypt(b1, rk);
                    b2 = AesNi.Decrypt(b2, rk); b3 = AesNi.Decrypt(b3, rk);
                    b4 = AesNi.Decrypt(b4, rk); b5 = AesNi.Decrypt(b5, rk);
                    b6 = AesNi.Decrypt(b6, rk); b7 = AesNi.Decrypt(b7, rk);
                }
                byte* o = dst + off;
                (AesNi.DecryptLast(b0, dLast) ^ previous).Store(o);
                (AesNi.DecryptLast(b1, dLast) ^ c0).Store(o + 16);
                (AesNi.DecryptLast(b2, dLast) ^ c1).Store(o + 32);
                (AesNi.DecryptLast(b3, dLast) ^ c2).Store(o + 48);
                (AesNi.DecryptLast(b4, dLast) ^ c3).Store(o + 64);
                (AesNi.DecryptLast(b5, dLast) ^ c4).Store(o + 80);
                (AesNi.DecryptLast(b6, dLast) ^ c5).Store(o + 96);
                (AesNi.DecryptLast(b7, dLast) ^ c6).Store(o + 112);
                previous = c7;
            }
            for (; off < n; off += 16)
            {
                var c = Vector128.Load(src + off);
                var b = c ^ d0;
                for (int r = 1; r < last; r++)
                    b = AesNi.Decrypt(b, d[r]);
                (AesNi.DecryptLast(b, dLast) ^ previous).Store(dst + off);
                previous = c;
            }
        }
        return true;
    }

    /// <summary>
    /// FIPS-197 §5.2 key expansion, word by word for all three key sizes. SubWord comes from
    /// AESKEYGENASSIST, which applies the S-box to the second word of its input (its Rcon is
    /// applied here, since the instruction wants it as an immediate). Decryption keys are the
    /// encryption keys in reverse with InvMixColumns on the inner ones (§5.3.5, the equivalent
    /// inverse cipher that AESDEC implements).
    /// </summary>
    private void ExpandKey(ReadOnlySpan<byte> key)
    {
        int nk = key.Length / 4;
        int words = 4 * (_rounds + 1);
        Span<uint> w = stackalloc uint[4 * (MaxRounds + 1)];
        for (int i = 0; i < nk; i++)
            w[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
        uint rcon = 1;
        for (int i = nk; i < words; i++)
        {
            uint t = w[i - 1];
            if (i % nk == 0)
            {
                // Bytes are little-endian in the word, so RotWord is a right rotation by 8.
                t = uint.RotateRight(SubWord(t), 8) ^ rcon;
                rcon = (rcon << 1) ^ ((rcon >> 7) * 0x11b);
            }
            else if (nk > 6 && i % nk == 4)
            {
                t = SubWord(t);
            }
            w[i] = w[i - nk] ^ t;
        }
        for (int r = 0; r <= _rounds; r++)
            _keys[r] = Vector128.Create(w[4 * r], w[4 * r + 1], w[4 * r + 2], w[4 * r + 3]).AsByte();
        w.Clear();
        var d = Dec;
        d[0] = _keys[_rounds];
        for (int r = 1; r < _rounds; r++)
            d[r] = AesNi.InverseMixColumns(_keys[_rounds - r]);
        d[_rounds] = _keys[0];
    }

    private static uint SubWord(uint word) =>
        AesNi.KeygenAssist(Vector128.Create(0u, word, 0u, 0u).AsByte(), 0).AsUInt32().ToScalar();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_keys == null)
            return;
        NativeMemory.Clear(_keys, 2 * (MaxRounds + 1) * 16);
        NativeMemory.AlignedFree(_keys);
        _keys = null;
    }
}
