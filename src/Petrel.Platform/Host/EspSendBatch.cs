using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;

namespace Petrel.Platform.Host;

/// <summary>
/// Collects sealed ESP-in-UDP packets and sends them with as few system calls as the kernel
/// allows: packets for one peer are packed back to back into UDP GSO groups (equal-sized
/// datagrams with at most a shorter last one, at most 64 and less than 64 KB per group; a packet
/// for another peer, a larger one or one after a short one starts a new group), and all groups
/// of a flush leave in one sendmmsg(2) per socket, each message with its own UDP_SEGMENT size
/// (<see cref="UdpTransport.SendEspGroups"/>). So a burst of mixed sizes (IMIX) costs one system
/// call, not one per size change. Plain ESP (raw socket) goes to <see cref="RawEspSendBatch"/>.
/// One instance per packet thread; nothing is allocated per packet.
/// </summary>
public sealed class EspSendBatch(UdpTransport udp, UserspaceKernel kernel)
{
    /// <summary>linux/udp.h UDP_MAX_SEGMENTS was 64 before 6.x; stay at the lower bound.</summary>
    public const int MaxSegments = 64;

    /// <summary>One UDP datagram's payload, less IPv6 and UDP headers, rounded down.</summary>
    public const int MaxBytes = 65000;

    /// <summary>Groups (sendmmsg messages) per flush.</summary>
    public const int MaxGroups = UdpEndpoint.MaxSendGroups;

    /// <summary>Bytes held per flush: a TSO super-segment's sealed segments, or a burst of small packets.</summary>
    public const int BufferBytes = 256 * 1024;

    private readonly byte[] _buffer = new byte[BufferBytes];
    private readonly UdpSendGroup[] _groups = new UdpSendGroup[MaxGroups];
    private readonly EspPeer?[] _peers = new EspPeer?[MaxGroups];
    private readonly RawEspSendBatch _raw = new(udp, kernel);
    private int _groupCount;     // groups, the last one open
    private int _length;         // bytes used in _buffer
    private int _segments;       // datagrams in the open group
    private bool _closed;        // the open group ended with a short datagram

    /// <summary>Datagrams sent in UDP GSO groups of two or more.</summary>
    public long BatchedPackets { get; private set; }

    /// <summary>UDP GSO groups of two or more datagrams sent.</summary>
    public long Batches { get; private set; }

    /// <summary>sendmmsg calls (each with one or more groups).</summary>
    public long SendCalls { get; private set; }

    public void Add(EspPeer peer, ReadOnlySpan<byte> esp)
    {
        if (!peer.UdpEncapsulation)
        {
            // Plain ESP leaves through the raw socket in sendmmsg batches of its own.
            _raw.Add(peer, esp);
            return;
        }
        if (esp.Length > MaxBytes)
        {
            Flush();
            if (!udp.SendEsp(peer, esp))
                kernel.CountSendFailure();
            return;
        }
        if (_length + esp.Length > BufferBytes)
            Flush();
        if (_groupCount > 0)
        {
            ref var open = ref _groups[_groupCount - 1];
            if (ReferenceEquals(peer, _peers[_groupCount - 1]) && !_closed && esp.Length <= open.SegmentSize
                && _segments < MaxSegments && open.Length + esp.Length <= MaxBytes)
            {
                esp.CopyTo(_buffer.AsSpan(_length));
                _length += esp.Length;
                open = open with { Length = open.Length + esp.Length };
                _segments++;
                _closed = esp.Length < open.SegmentSize;
                return;
            }
            Close();
            if (_groupCount == MaxGroups)
                Flush();
        }
        _peers[_groupCount] = peer;
        _groups[_groupCount++] = new UdpSendGroup(_length, esp.Length, esp.Length, 1);
        esp.CopyTo(_buffer.AsSpan(_length));
        _length += esp.Length;
        _segments = 1;
        _closed = false;
    }

    public void Flush()
    {
        _raw.Flush();
        if (_groupCount == 0)
            return;
        Close();
        int count = _groupCount;
        _groupCount = 0;
        _length = 0;
        // Consecutive groups for one peer share a socket and a destination: one sendmmsg each run.
        for (int first = 0; first < count;)
        {
            var peer = _peers[first]!;
            int end = first + 1;
            while (end < count && ReferenceEquals(_peers[end], peer))
                end++;
            var groups = _groups.AsSpan(first, end - first);
            int sent = udp.SendEspGroups(peer, _buffer, groups);
            SendCalls++;
            for (int g = 0; g < groups.Length; g++)
            {
                // Which groups were refused is not known, only how many: the last ones are counted.
                if (g >= sent)
                {
                    for (int s = 0; s < groups[g].Segments; s++)
                        kernel.CountSendFailure();
                }
                else if (groups[g].Segments > 1)
                {
                    Batches++;
                    BatchedPackets += groups[g].Segments;
                }
            }
            first = end;
        }
        _peers.AsSpan(0, count).Clear();
    }

    private void Close()
    {
        ref var open = ref _groups[_groupCount - 1];
        open = open with { Segments = _segments };
    }
}
