using System.Numerics;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// Anti-replay window of RFC 4303 §3.4.3 and Appendix A: a bitmap of the last <see cref="Size"/>
/// sequence numbers below the highest one authenticated so far. The check runs before the ICV
/// (cheap rejection of duplicates), the update only after the ICV verified (§3.4.3: the window
/// must not move for a forged packet). With ESN the 32 high-order bits are inferred from the
/// window position as Appendix A2.2 describes.
/// Not thread-safe: the owning SA serializes calls.
/// </summary>
internal sealed class ReplayWindow
{
    /// <summary>Largest window accepted; strongSwan allows large windows too, 2^16 keeps the bitmap at 8 KiB.</summary>
    public const int MaxSize = 65536;

    // When replay protection is off (size 0) ESN high-bit inference still needs a window to
    // decide between "late" and "wrapped"; this is how far back a late packet may be.
    private const int InferenceWindowWhenDisabled = 1024;

    private readonly ulong[] _blocks;
    private readonly int _blockMask;
    private readonly uint _inferenceSize;
    private ulong _top;

    public ReplayWindow(int size, bool extendedSequenceNumbers)
    {
        if (size < 0 || size > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"replay window must be 0..{MaxSize}");
        Size = size;
        Esn = extendedSequenceNumbers;
        _inferenceSize = size == 0 ? InferenceWindowWhenDisabled : (uint)size;
        // One spare block so the ring always holds a full window below the block of the top bit
        // (the wireguard-go layout): sliding just clears whole blocks.
        int blocks = (int)BitOperations.RoundUpToPowerOf2((uint)((size + 63) / 64 + 1));
        _blocks = new ulong[blocks];
        _blockMask = blocks - 1;
    }

    public int Size { get; }
    public bool Esn { get; }

    /// <summary>Highest authenticated sequence number (0 before the first packet).</summary>
    public ulong Highest => _top;

    /// <summary>
    /// Before the ICV check: infers the full sequence number from the 32 bits on the wire and
    /// says whether it may be new. False means drop (duplicate, too old, or 0).
    /// </summary>
    public bool Check(uint wireSequence, out ulong sequence)
    {
        sequence = Esn ? InferEsn(wireSequence) : wireSequence;
        // RFC 4303 §3.3.3: the first packet carries 1; 0 never appears (a wrapped 64-bit
        // inference also lands here via InferEsn returning 0).
        if (sequence == 0)
            return false;
        if (Size == 0)
            return true;
        if (sequence > _top)
            return true;
        if (_top - sequence >= (ulong)Size)
            return false;
        return (_blocks[BlockIndex(sequence)] & BitMask(sequence)) == 0;
    }

    /// <summary>
    /// After the ICV verified: records the sequence number and slides the window. Returns false
    /// if it turned out to be a replay after all (a concurrent duplicate passed Check).
    /// </summary>
    public bool Update(ulong sequence)
    {
        if (sequence == 0)
            return false;
        if (sequence > _top)
        {
            Slide(sequence);
        }
        else if (Size != 0 && _top - sequence >= (ulong)Size)
        {
            return false;
        }

        if (Size == 0)
            return true;
        ref ulong block = ref _blocks[BlockIndex(sequence)];
        ulong mask = BitMask(sequence);
        if ((block & mask) != 0)
            return false;
        block |= mask;
        return true;
    }

    private void Slide(ulong sequence)
    {
        ulong oldBlock = _top >> 6;
        ulong newBlock = sequence >> 6;
        ulong diff = newBlock - oldBlock;
        if (Size != 0 && diff != 0)
        {
            // Clear the blocks that the window moves into; a jump past the whole ring clears all.
            int toClear = diff > (ulong)_blocks.Length ? _blocks.Length : (int)diff;
            for (int i = 1; i <= toClear; i++)
                _blocks[(int)((oldBlock + (ulong)i) & (ulong)_blockMask)] = 0;
        }
        _top = sequence;
    }

    /// <summary>RFC 4303 Appendix A2.2: choose the high half so the number falls in or above the window.</summary>
    private ulong InferEsn(uint seqLow)
    {
        uint tl = (uint)_top;
        uint th = (uint)(_top >> 32);
        uint w = _inferenceSize;
        uint bottom = unchecked(tl - w + 1);
        uint seqHigh;
        if (tl >= w - 1)
        {
            // Case A: the window lies within one 2^32 subspace; below the bottom means the
            // sender already wrapped into the next subspace.
            seqHigh = seqLow >= bottom ? th : unchecked(th + 1);
        }
        else
        {
            // Case B: the window spans two subspaces; numbers at or above the (wrapped) bottom
            // belong to the previous one.
            if (seqLow >= bottom)
            {
                if (th == 0)
                    return 0; // before the first subspace: can only be a replay
                seqHigh = th - 1;
            }
            else
            {
                seqHigh = th;
            }
        }
        return ((ulong)seqHigh << 32) | seqLow;
    }

    private int BlockIndex(ulong sequence) => (int)((sequence >> 6) & (ulong)_blockMask);

    private static ulong BitMask(ulong sequence) => 1UL << (int)(sequence & 63);
}
