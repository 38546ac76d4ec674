
namespace Petrel.Crypto.Primitives;

/// <summary>
/// CBC chaining (NIST SP 800-38A §6.2) done here over the raw engines, so a packet costs no
/// allocation and no re-initialisation. Not thread-safe.
/// </summary>
internal sealed class BlockCipherCbcContext : ICipherContext
{
    private readonly BlockCipherEngine _encrypt;
    private readonly BlockCipherEngine _decrypt;
    private readonly int _block;

    public BlockCipherCbcContext(BlockCipherKind kind, ReadOnlySpan<byte> key, int blockSize)
    {
        _encrypt = new BlockCipherEngine(kind, true, key);
        _decrypt = new BlockCipherEngine(kind, false, key);
        _block = blockSize;
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        if (plaintext.Length % _block != 0)
            throw new ArgumentException($"CBC plaintext must be a multiple of {_block} bytes", nameof(plaintext));
        Span<byte> x = stackalloc byte[16];
        x = x[.._block];
        ReadOnlySpan<byte> previous = iv[.._block];
        for (int off = 0; off < plaintext.Length; off += _block)
        {
            for (int i = 0; i < _block; i++)
                x[i] = (byte)(plaintext[off + i] ^ previous[i]);
            var outBlock = ciphertext.Slice(off, _block);
            _encrypt.ProcessBlock(x, outBlock);
            previous = outBlock;
        }
    }

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != _block || ciphertext.Length % _block != 0 || plaintext.Length < ciphertext.Length)
            return false;
        // Keep the previous ciphertext block aside so in-place decryption (plaintext == ciphertext) works.
        Span<byte> previous = stackalloc byte[16];
        Span<byte> current = stackalloc byte[16];
        previous = previous[.._block];
        current = current[.._block];
        iv.CopyTo(previous);
        for (int off = 0; off < ciphertext.Length; off += _block)
        {
            ciphertext.Slice(off, _block).CopyTo(current);
            var outBlock = plaintext.Slice(off, _block);
            _decrypt.ProcessBlock(current, outBlock);
            for (int i = 0; i < _block; i++)
                outBlock[i] ^= previous[i];
            current.CopyTo(previous);
        }
        return true;
    }

    public void Dispose()
    {
        _encrypt.Clear();
        _decrypt.Clear();
    }
}
