using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.V1.Keying;

/// <summary>
/// The CBC state of an IKEv1 SA (RFC 2409 §5.2 and Appendix B): Phase 1 starts from hash(g^xi | g^xr), and every
/// encrypted message, sent or received, continues from the last ciphertext block of the one before. Each Phase 2 or
/// Informational exchange (message ID ≠ 0) has its own chain, started from hash(last Phase 1 block | M-ID), so
/// interleaved exchanges each keep theirs. At most <see cref="MaxExchanges"/> message IDs are kept (oldest goes).
/// </summary>
public sealed class IvChain
{
    public const int MaxExchanges = 8;

    private readonly HashAlgorithmName _hash;
    private readonly int _blockSize;
    private byte[] _phase1;
    private readonly LinkedList<(uint Id, byte[] Iv)> _exchanges = new();

    public IvChain(HashAlgorithmName hash, int blockSize, ReadOnlySpan<byte> publicI, ReadOnlySpan<byte> publicR)
    {
        _hash = hash;
        _blockSize = blockSize;
        var both = new byte[publicI.Length + publicR.Length];
        publicI.CopyTo(both);
        publicR.CopyTo(both.AsSpan(publicI.Length));
        _phase1 = Truncate(CryptographicOperations.HashData(hash, both));
    }

    public int BlockSize => _blockSize;

    /// <summary>The IV the next message of this exchange is encrypted or decrypted with.</summary>
    public byte[] Current(uint messageId)
    {
        if (messageId == 0) return _phase1;
        for (var n = _exchanges.First; n is not null; n = n.Next)
            if (n.Value.Id == messageId) return n.Value.Iv;
        Span<byte> input = stackalloc byte[_phase1.Length + 4];
        _phase1.CopyTo(input);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(input[_phase1.Length..], messageId);
        // Not kept until a message of the exchange is accepted (Advance): a message that fails to decrypt because
        // Phase 1 had not caught up must not pin an IV derived from a stale Phase 1 block.
        return Truncate(CryptographicOperations.HashData(_hash, input));
    }

    /// <summary>A message of this exchange was encrypted or decrypted (and accepted): chain on from its last block.</summary>
    public void Advance(uint messageId, ReadOnlySpan<byte> ciphertext)
    {
        var last = ciphertext[^_blockSize..].ToArray();
        if (messageId == 0) _phase1 = last;
        else Set(messageId, last);
    }

    /// <summary>An exchange is over: its chain is dropped.</summary>
    public void Forget(uint messageId)
    {
        for (var n = _exchanges.First; n is not null; n = n.Next)
            if (n.Value.Id == messageId) { _exchanges.Remove(n); return; }
    }

    private void Set(uint messageId, byte[] iv)
    {
        Forget(messageId);
        _exchanges.AddFirst((messageId, iv));
        while (_exchanges.Count > MaxExchanges) _exchanges.RemoveLast();
    }

    private byte[] Truncate(byte[] digest) => digest.AsSpan(0, _blockSize).ToArray();
}
