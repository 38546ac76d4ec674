using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed CTR cipher. AES builds a run of counter blocks on the stack and encrypts them with one
/// ECB call into a persistent native context (AES-NI, no allocation); Camellia goes block by block
/// through BouncyCastle. Not thread-safe.
/// </summary>
internal sealed class CounterModeContext : ICipherContext
{
    private const int Chunk = 512; // keystream bytes built per round: 32 counter blocks on the stack
    private readonly PersistentAes? _aes;
    private readonly BlockCipherEngine? _engine;
    private readonly byte[] _nonce;

    public CounterModeContext(BlockCipherKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        if (kind == BlockCipherKind.Aes)
        {
            _aes = new PersistentAes(key);
        }
        else
        {
            _engine = new BlockCipherEngine(kind, true, key);
        }
        _nonce = nonce.ToArray();
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag) =>
        Apply(iv, plaintext, ciphertext);

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || plaintext.Length < ciphertext.Length)
            return false;
        Apply(iv, ciphertext, plaintext);
        return true;
    }

    private void Apply(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> counters = stackalloc byte[Chunk];
        Span<byte> stream = stackalloc byte[Chunk];
        uint counter = 1; // RFC 3686 §4: the first block of each packet uses counter value 1
        for (int off = 0; off < input.Length; off += Chunk)
        {
            int n = Math.Min(Chunk, input.Length - off);
            int blocks = (n + 15) / 16;
            for (int b = 0; b < blocks; b++)
            {
                var block = counters.Slice(b * 16, 16);
                _nonce.CopyTo(block);
                iv[..8].CopyTo(block[4..]);
                BinaryPrimitives.WriteUInt32BigEndian(block[12..], counter++);
            }
            if (_aes is not null)
            {
                _aes.EncryptEcb(counters[..(blocks * 16)], stream);
            }
            else
            {
                for (int b = 0; b < blocks; b++)
                    _engine!.ProcessBlock(counters.Slice(b * 16, 16), stream.Slice(b * 16, 16));
            }
            for (int i = 0; i < n; i++)
                output[off + i] = (byte)(input[off + i] ^ stream[i]);
        }
        CryptographicOperations.ZeroMemory(stream);
    }

    public void Dispose()
    {
        _aes?.Dispose();
        _engine?.Clear();
        CryptographicOperations.ZeroMemory(_nonce);
    }
}
