using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Offload;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// The one inbound step every receive path takes (UDP GRO receives, raw ESP recvmmsg batches, the
/// parallel opener): the ESP packets of one receive, in arrival order, are opened in place and
/// their inner packets go to the tunnel device, coalesced where the device takes GSO writes: TCP
/// segments of a flow as one TSO packet (<see cref="TcpCoalescer"/>), UDP datagrams of a flow as
/// one GSO_UDP_L4 packet (<see cref="UdpCoalescer"/>), anything else one write each. A
/// transport-mode SA writes its own packet after rebuilding a header in front of it, so whatever
/// is held goes out first and the order on the wire is kept. Write failures are counted as
/// <see cref="DropReason.SendFailed"/>, never thrown. One instance per receive thread (from
/// <see cref="UserspaceKernel.CreateInboundBatch"/>); call <see cref="Flush"/> at the end of each receive.
/// </summary>
public sealed class InboundBatch
{
    private readonly UserspaceKernel _kernel;
    private readonly ITunnelDevice _device;
    private readonly TcpCoalescer? _tcp;
    private readonly UdpCoalescer? _udp;

    internal InboundBatch(UserspaceKernel kernel, ITunnelDevice device, IGsoTunnelDevice? gso)
    {
        _kernel = kernel;
        _device = device;
        if (gso is not null)
        {
            _tcp = new TcpCoalescer(gso);
            if (gso.AcceptsUdpGso && kernel.TunUdpGsoSegments >= 2)
                _udp = new UdpCoalescer(gso, kernel.TunUdpGsoSegments);
        }
    }

    /// <summary>TCP segments merged into GSO writes.</summary>
    public long CoalescedTcpSegments => _tcp?.CoalescedSegments ?? 0;

    /// <summary>UDP datagrams merged into GSO writes.</summary>
    public long CoalescedUdpDatagrams => _udp?.CoalescedDatagrams ?? 0;

    /// <summary>GSO_UDP_L4 writes.</summary>
    public long UdpGsoWrites => _udp?.GsoWrites ?? 0;

    /// <summary>
    /// Opens the ESP packet buffer[offset..offset+length] (with <see cref="UserspaceKernel.InboundHeadroom"/>
    /// bytes before it) and delivers its inner packet, now or at <see cref="Flush"/>; every
    /// packet until then must be in the same buffer.
    /// </summary>
    public DropReason Open(byte[] buffer, int offset, int length)
    {
        if (_kernel.RebuildsHeaderInPlace(buffer.AsSpan(offset, length)))
            Flush();
        var result = _kernel.OpenInbound(buffer, offset, length, out int innerOffset, out int innerLength);
        if (result == DropReason.None && innerLength > 0)
            Deliver(buffer, innerOffset, innerLength);
        return result;
    }

    /// <summary>
    /// The arrival-order half of a batch opened with <see cref="UserspaceKernel.OpenInboundDeferred"/>:
    /// commits the window update and counters, then delivers the inner packet like <see cref="Open"/>.
    /// </summary>
    public DropReason Commit(in InboundTicket ticket, byte[] buffer, int innerOffset, int innerLength)
    {
        var result = _kernel.CommitInbound(ticket, buffer, innerOffset, ref innerLength);
        if (result == DropReason.None && innerLength > 0)
            Deliver(buffer, innerOffset, innerLength);
        return result;
    }

    /// <summary>Writes whatever is held and adds this batch's coalescing counts to the kernel's statistics. Call before the buffer is reused.</summary>
    public void Flush()
    {
        if (_tcp is not null && !_tcp.Flush())
            _kernel.CountSendFailure();
        if (_udp is not null && !_udp.Flush())
            _kernel.CountSendFailure();
        Report();
    }

    private long _tcpWrites, _tcpSegments, _udpWrites, _udpDatagrams;

    private void Report()
    {
        if (_tcp is null)
            return;
        if (_udp is { Refused: true })
            _kernel.Statistics.CountTunUdpGsoRefused();
        long tw = _tcp.GsoWrites, ts = _tcp.CoalescedSegments;
        long uw = _udp?.GsoWrites ?? 0, ud = _udp?.CoalescedDatagrams ?? 0;
        if (tw == _tcpWrites && uw == _udpWrites)
            return;
        _kernel.Statistics.CountTunGso(tw - _tcpWrites, ts - _tcpSegments, uw - _udpWrites, ud - _udpDatagrams);
        (_tcpWrites, _tcpSegments, _udpWrites, _udpDatagrams) = (tw, ts, uw, ud);
    }

    private void Deliver(byte[] buffer, int offset, int length)
    {
        bool ok;
        if (_tcp is null)
        {
            ok = _device.WritePacket(buffer.AsSpan(offset, length));
        }
        else if (_udp is not null && UdpCoalescer.IsCandidate(buffer.AsSpan(offset, length)))
        {
            // One coalescer holds packets at a time, so packets reach the device in arrival order.
            ok = _tcp.Flush();
            ok &= _udp.Add(buffer, offset, length);
        }
        else
        {
            ok = _udp is null || !_udp.Holding || _udp.Flush();
            ok &= _tcp.Add(buffer, offset, length);
        }
        if (!ok)
            _kernel.CountSendFailure();
    }
}
