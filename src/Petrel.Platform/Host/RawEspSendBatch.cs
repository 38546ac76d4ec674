using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;

namespace Petrel.Platform.Host;

/// <summary>
/// The plain-ESP (raw IP protocol 50, no UDP encapsulation) half of <see cref="EspSendBatch"/>:
/// sealed packets for one peer are packed back to back and leave with one sendmmsg(2)
/// (<see cref="UdpTransport.SendRawEspBatch"/>) instead of one sendto per packet. Unlike UDP GSO
/// the packets may differ in size. A packet for another peer, a full buffer or
/// <see cref="RawIpSocket.MaxSendBatch"/> packets flush first. One instance per packet thread;
/// nothing is allocated per packet.
/// </summary>
public sealed class RawEspSendBatch(UdpTransport udp, UserspaceKernel kernel)
{
    /// <summary>Room for a TSO super-segment's worth of sealed segments (64 KB of payload plus ESP overhead).</summary>
    public const int MaxBytes = 128 * 1024;

    private readonly byte[] _buffer = new byte[MaxBytes];
    private readonly int[] _lengths = new int[RawIpSocket.MaxSendBatch];
    private EspPeer? _peer;
    private int _count;
    private int _length;

    public void Add(EspPeer peer, ReadOnlySpan<byte> esp)
    {
        if (esp.Length > MaxBytes)
        {
            // Cannot be: ESP packets are below 64 KB. Sent alone rather than dropped.
            Flush();
            if (!udp.SendEsp(peer, esp))
                kernel.CountSendFailure();
            return;
        }
        if (_count > 0 && (!ReferenceEquals(peer, _peer) || _count == _lengths.Length || _length + esp.Length > MaxBytes))
            Flush();
        _peer = peer;
        esp.CopyTo(_buffer.AsSpan(_length));
        _lengths[_count++] = esp.Length;
        _length += esp.Length;
    }

    public void Flush()
    {
        if (_count == 0)
            return;
        var peer = _peer!;
        int count = _count;
        _count = 0;
        _peer = null;
        var packed = _buffer.AsSpan(0, _length);
        _length = 0;
        if (count == 1)
        {
            if (!udp.SendEsp(peer, packed))
                kernel.CountSendFailure();
            return;
        }
        int sent = udp.SendRawEspBatch(peer, packed, _lengths.AsSpan(0, count));
        if (sent > 0)
            kernel.Statistics.CountRawSend(sent);
        for (int i = sent; i < count; i++)
            kernel.CountSendFailure();
    }
}
