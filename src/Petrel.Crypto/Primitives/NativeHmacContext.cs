using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// HMAC (RFC 2104) over libcrypto's low-level digest (<see cref="NativeDigest"/>). The states after
/// the key's inner and outer pad blocks are computed once per SA; a packet copies the inner state,
/// hashes the data, then copies the outer state and hashes the inner digest: two digest passes,
/// four native calls, no allocation. The states live in native memory that is wiped when disposed.
/// Not thread-safe (each packet thread has its own context).
/// </summary>
internal sealed unsafe class NativeHmacContext : TruncatedMacContext
{
    private readonly NativeDigest _digest;
    private byte* _memory;      // inner state | outer state | working state, NativeDigest.StateBytes each

    public NativeHmacContext(NativeDigest digest, ReadOnlySpan<byte> key, int icvBytes)
        : base(icvBytes)
    {
        _digest = digest;
        _memory = (byte*)NativeMemory.AllocZeroed(3 * NativeDigest.StateBytes);

        // RFC 2104 §2: a key longer than the block is hashed first; then it is zero-padded to the block.
        int block = digest.BlockBytes;
        Span<byte> pad = stackalloc byte[128];
        pad = pad[..block];
        pad.Clear();
        if (key.Length > block)
        {
            digest.Init(Work);
            digest.Update(Work, key);
            fixed (byte* p = pad)
                digest.Final(Work, p);
        }
        else
        {
            key.CopyTo(pad);
        }
        for (int i = 0; i < block; i++)
            pad[i] ^= 0x36;
        digest.Init(Inner);
        digest.Update(Inner, pad);
        for (int i = 0; i < block; i++)
            pad[i] ^= 0x36 ^ 0x5c;
        digest.Init(Outer);
        digest.Update(Outer, pad);
        CryptographicOperations.ZeroMemory(pad);
        NativeMemory.Clear(Work, NativeDigest.StateBytes);
    }

    ~NativeHmacContext() => Free();

    private byte* Inner => _memory;
    private byte* Outer => _memory + NativeDigest.StateBytes;
    private byte* Work => _memory + 2 * NativeDigest.StateBytes;

    protected override void Mac(ReadOnlySpan<byte> data, Span<byte> full)
    {
        ObjectDisposedException.ThrowIf(_memory == null, this);
        int outBytes = _digest.OutputBytes;
        fixed (byte* output = full)
        {
            Buffer.MemoryCopy(Inner, Work, NativeDigest.StateBytes, NativeDigest.StateBytes);
            _digest.Update(Work, data);
            _digest.Final(Work, output);
            Buffer.MemoryCopy(Outer, Work, NativeDigest.StateBytes, NativeDigest.StateBytes);
            _digest.Update(Work, new ReadOnlySpan<byte>(output, outBytes));
            _digest.Final(Work, output);
        }
    }

    public override void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_memory == null)
            return;
        NativeMemory.Clear(_memory, 3 * NativeDigest.StateBytes);
        NativeMemory.Free(_memory);
        _memory = null;
    }
}
