using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Pipeline;

namespace Petrel.Platform.Host;

/// <summary>
/// Seals the segments of one TCP super-segment read from the TUN device on several threads
/// (<see cref="PacketWorkerPool"/>): the sequence numbers of all segments are claimed first
/// (<see cref="UserspaceKernel.TryReserveOutbound"/>), each worker cuts and seals its contiguous
/// slice into its own slots, and the caller hands the ESP packets to the send batch in segment
/// order, so the wire order is the sequence order. CBC + HMAC costs several µs per segment on one
/// core; this spreads it over all of them for a single TCP flow. One instance per TUN reader thread.
/// </summary>
public sealed class SegmentSealer : IPartitionedWork
{
    /// <summary>Largest segment (IP packet) a slot holds; larger ones take the serial path.</summary>
    public const int MaxSegment = 2048;

    /// <summary>Most segments per super-segment handled here (64 KB / MSS 536 is 123).</summary>
    public const int MaxSegments = 128;

    private const int SlotSize = UserspaceKernel.Headroom + MaxSegment + UserspaceKernel.Tailroom;

    private readonly UserspaceKernel _kernel;
    private readonly PacketWorkerPool _pool;
    private readonly byte[] _slots = new byte[MaxSegments * SlotSize];
    private readonly int[] _espOffset = new int[MaxSegments];
    private readonly int[] _espLength = new int[MaxSegments];
    private readonly EspPeer?[] _peer = new EspPeer?[MaxSegments];
    private byte[] _packet = [];
    private int _packetOffset;
    private int _packetLength;
    private VirtioNetHeader _header;
    private int _headerLength;
    private int _count;
    private OutboundReservation _reservation;

    public SegmentSealer(UserspaceKernel kernel, PacketWorkerPool pool)
    {
        _kernel = kernel;
        _pool = pool;
    }

    /// <summary>Super-segments sealed here (the rest went the serial way).</summary>
    public long Batches { get; private set; }

    /// <summary>
    /// Cuts, seals and adds to batch every segment of the super-segment buffer[offset..+length]
    /// described by header. False (nothing done) when it must take the serial path instead.
    /// </summary>
    public bool TrySeal(byte[] buffer, int offset, int length, in VirtioNetHeader header, EspSendBatch batch)
    {
        var packet = buffer.AsSpan(offset, length);
        int count = TsoSegmenter.SegmentCount(packet, header, out int headerLength);
        if (count < 2 || count > MaxSegments || headerLength + header.GsoSize > MaxSegment)
            return false;
        if (!_kernel.TryReserveOutbound(packet, count, 0, out _reservation))
            return false;
        _packet = buffer;
        _packetOffset = offset;
        _packetLength = length;
        _header = header;
        _headerLength = headerLength;
        _count = count;
        try
        {
            _pool.Run(this, count);
        }
        finally
        {
            _packet = [];
            _reservation = default;
        }
        for (int i = 0; i < count; i++)
        {
            if (_espLength[i] > 0)
                batch.Add(_peer[i]!, _slots.AsSpan(_espOffset[i], _espLength[i]));
            _peer[i] = null;
        }
        Batches++;
        return true;
    }

    /// <summary>Worker side: cut and seal segments [start, end) into their slots.</summary>
    public void Run(int worker, int start, int end)
    {
        var packet = _packet.AsSpan(_packetOffset, _packetLength);
        for (int i = start; i < end; i++)
        {
            _espLength[i] = 0;
            int slot = i * SlotSize;
            var slotSpan = _slots.AsSpan(slot, SlotSize);
            int segLength = TsoSegmenter.WriteSegment(packet, _header, _headerLength, i, _count,
                slotSpan.Slice(UserspaceKernel.Headroom, MaxSegment));
            if (segLength <= 0)
                continue;
            if (_kernel.SealReserved(_reservation, i, slotSpan, UserspaceKernel.Headroom, segLength,
                    out int espOffset, out int espLength, out var peer) == DropReason.None && peer is not null)
            {
                _espOffset[i] = slot + espOffset;
                _espLength[i] = espLength;
                _peer[i] = peer;
            }
        }
    }
}
