using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;

namespace Petrel.Platform.Host;

/// <summary>
/// Seals a burst of separate packets read from the TUN device (UDP, small packets: whatever is not
/// a TSO super-segment) on several threads (<see cref="PacketWorkerPool"/>) without reordering any
/// SA: <see cref="TryAdd"/> claims each packet's sequence number on the reader thread, in arrival
/// order (<see cref="UserspaceKernel.TryReserveOutbound"/>, count 1), and copies it into a slot;
/// <see cref="Flush"/> seals the slots in contiguous slices on the workers (each on its own SA
/// context lane) and hands the ESP packets to the send batch in arrival order. So packets of one SA
/// leave in sequence order whichever worker sealed them, and packets of different SAs or flows
/// share the cores. Bursts shorter than <see cref="MinPerWorker"/> per worker stay on the caller
/// (a wake-up costs more than sealing a few packets). One instance per TUN reader thread; nothing
/// is allocated per packet.
/// </summary>
public sealed class BurstSealer : IPartitionedWork
{
    /// <summary>Largest packet a slot holds; larger ones take the serial path.</summary>
    public const int MaxPacket = 2048;

    /// <summary>Packets per burst (the TUN reader's burst).</summary>
    public const int Capacity = DataPlaneHost.MaxTunBurst;

    /// <summary>Fewest packets per worker before a burst is split.</summary>
    public const int MinPerWorker = 8;

    private const int SlotSize = UserspaceKernel.Headroom + MaxPacket + UserspaceKernel.Tailroom;

    private readonly UserspaceKernel _kernel;
    private readonly PacketWorkerPool _pool;
    private readonly byte[] _slots = new byte[Capacity * SlotSize];
    private readonly OutboundReservation[] _reservation = new OutboundReservation[Capacity];
    private readonly int[] _length = new int[Capacity];
    private readonly int[] _espOffset = new int[Capacity];
    private readonly int[] _espLength = new int[Capacity];
    private readonly EspPeer?[] _peer = new EspPeer?[Capacity];
    private int _count;

    public BurstSealer(UserspaceKernel kernel, PacketWorkerPool pool)
    {
        _kernel = kernel;
        _pool = pool;
    }

    /// <summary>Packets waiting in the burst.</summary>
    public int Count => _count;

    /// <summary>Packets sealed through here.</summary>
    public long Packets { get; private set; }

    /// <summary>
    /// Takes packet (one IP packet, checksums complete) into the burst with its sequence number
    /// claimed now. False (nothing done) when it must be sealed the serial way: too large, the burst
    /// full, or not a tunnel-mode ESP packet with an SA (<see cref="UserspaceKernel.TryReserveOutbound"/>).
    /// A caller that seals a packet the serial way flushes first, so the send order stays the sequence order.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> packet, uint interfaceId)
    {
        if (packet.Length > MaxPacket || _count == Capacity)
            return false;
        if (!_kernel.TryReserveOutbound(packet, 1, interfaceId, out _reservation[_count]))
            return false;
        packet.CopyTo(_slots.AsSpan(_count * SlotSize + UserspaceKernel.Headroom));
        _length[_count] = packet.Length;
        _count++;
        return true;
    }

    /// <summary>Seals every packet of the burst (on the workers when it is long enough) and adds them to batch in arrival order.</summary>
    public void Flush(EspSendBatch batch)
    {
        if (_count == 0)
            return;
        try
        {
            Seal();
            for (int i = 0; i < _count; i++)
            {
                if (_espLength[i] > 0)
                    batch.Add(_peer[i]!, _slots.AsSpan(_espOffset[i], _espLength[i]));
            }
        }
        finally
        {
            Clear();
        }
    }

    /// <summary>
    /// The first half of <see cref="Flush"/>: seals the waiting packets in their slots (on the
    /// workers when the burst is long enough) and returns how many were sealed; then <see cref="Clear"/>.
    /// </summary>
    public int Seal()
    {
        _pool.Run(this, _count, MinPerWorker);
        Packets += _count;
        int done = 0;
        for (int i = 0; i < _count; i++)
        {
            if (_espLength[i] > 0)
                done++;
        }
        return done;
    }

    /// <summary>Empties the burst.</summary>
    public void Clear()
    {
        _peer.AsSpan(0, _count).Clear();
        _reservation.AsSpan(0, _count).Clear();
        _count = 0;
    }

    /// <summary>Worker side: seal packets [start, end) in their slots.</summary>
    public void Run(int worker, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            _espLength[i] = 0;
            int slot = i * SlotSize;
            if (_kernel.SealReserved(_reservation[i], 0, _slots.AsSpan(slot, SlotSize), UserspaceKernel.Headroom, _length[i],
                    out int espOffset, out int espLength, out var peer) == DropReason.None && peer is not null)
            {
                _espOffset[i] = slot + espOffset;
                _espLength[i] = espLength;
                _peer[i] = peer;
            }
        }
    }
}
