using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;

namespace Petrel.Platform.Host;

/// <summary>
/// Collects sealed ESP-in-UDP packets for one peer back to back and sends them with one UDP GSO
/// sendmsg (<see cref="UdpTransport.SendEspSegments"/>). UDP GSO needs equal-sized datagrams with
/// at most a shorter last one, at most 64 of them and less than 64 KB in all, so a packet for
/// another peer, a larger one, one after a short one, or a full batch flushes first. Plain ESP
/// (raw socket) goes to <see cref="RawEspSendBatch"/> (sendmmsg). One instance per packet thread; nothing is allocated.
/// </summary>
public sealed class EspSendBatch(UdpTransport udp, UserspaceKernel kernel)
{
    /// <summary>linux/udp.h UDP_MAX_SEGMENTS was 64 before 6.x; stay at the lower bound.</summary>
    public const int MaxSegments = 64;

    /// <summary>One UDP datagram's payload, less IPv6 and UDP headers, rounded down.</summary>
    public const int MaxBytes = 65000;

    private readonly byte[] _buffer = new byte[MaxBytes];
    private readonly RawEspSendBatch _raw = new(udp, kernel);
    private EspPeer? _peer;
    private int _segmentSize;
    private int _count;
    private int _length;
    private bool _closed;

    /// <summary>Datagrams sent through UDP GSO sends of two or more.</summary>
    public long BatchedPackets { get; private set; }

    /// <summary>UDP GSO sends (each of two or more datagrams).</summary>
    public long Batches { get; private set; }

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
        if (_count > 0 && (!ReferenceEquals(peer, _peer) || _closed || esp.Length > _segmentSize
            || _count == MaxSegments || _length + esp.Length > MaxBytes))
        {
            Flush();
        }
        if (_count == 0)
        {
            _peer = peer;
            _segmentSize = esp.Length;
        }
        esp.CopyTo(_buffer.AsSpan(_length));
        _length += esp.Length;
        _count++;
        _closed = esp.Length < _segmentSize;
    }

    public void Flush()
    {
        _raw.Flush();
        if (_count == 0)
            return;
        var peer = _peer!;
        var packed = _buffer.AsSpan(0, _length);
        int count = _count;
        _count = 0;
        _length = 0;
        _peer = null;
        _closed = false;
        if (count == 1)
        {
            if (!udp.SendEsp(peer, packed))
                kernel.CountSendFailure();
            return;
        }
        if (udp.SendEspSegments(peer, packed, _segmentSize))
        {
            Batches++;
            BatchedPackets += count;
            return;
        }
        // The kernel refused GSO (old kernel, device without it): one by one instead.
        for (int off = 0; off < packed.Length; off += _segmentSize)
        {
            if (!udp.SendEsp(peer, packed.Slice(off, Math.Min(_segmentSize, packed.Length - off))))
                kernel.CountSendFailure();
        }
    }
}
