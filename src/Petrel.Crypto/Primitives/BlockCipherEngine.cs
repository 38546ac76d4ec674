using Org.BouncyCastle.Crypto;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// One keyed BouncyCastle engine with its own block buffers. Some engines (Camellia, CAST-128) allocate
/// inside their Span overload of ProcessBlock; the array overload on reused buffers does not, so every
/// block goes through here. Not thread-safe.
/// </summary>
internal sealed class BlockCipherEngine
{
    private readonly IBlockCipher _engine;
    private readonly byte[] _in;
    private readonly byte[] _out;

    public BlockCipherEngine(BlockCipherKind kind, bool forEncryption, ReadOnlySpan<byte> key)
    {
        _engine = BlockCipherEngines.Create(kind, forEncryption, key);
        BlockSize = _engine.GetBlockSize();
        _in = new byte[BlockSize];
        _out = new byte[BlockSize];
    }

    public int BlockSize { get; }

    /// <summary>Transforms one block; input and output may overlap.</summary>
    public void ProcessBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        input[..BlockSize].CopyTo(_in);
        _engine.ProcessBlock(_in, 0, _out, 0);
        _out.CopyTo(output);
    }

    public void Clear()
    {
        Array.Clear(_in);
        Array.Clear(_out);
    }
}
