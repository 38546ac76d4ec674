using Microsoft.Extensions.Logging;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;
using Petrel.Platform.Tun;

namespace Petrel.Platform.Host;

/// <summary>
/// The offloaded packet loops, used when the TUN device was opened with vnet headers
/// (<see cref="DataPlaneOptions.Offload"/>). They cut per-packet kernel work, which the profile
/// shows is most of the cost (syscalls and one pass of the host TCP/UDP stack per packet):
/// <list type="bullet">
/// <item>TUN → wire: one read returns a TCP super-segment of up to 64 KB (TSO); it is cut into
/// segments (<see cref="TsoSegmenter"/>), each sealed, and all of them leave in one UDP GSO
/// sendmsg (<see cref="EspSendBatch"/>).</item>
/// <item>wire → TUN: with UDP_GRO one receive returns up to 64 KB of datagrams from one peer; each
/// ESP packet is opened in place and the inner TCP segments of one flow are written as one GSO
/// packet (<see cref="TcpCoalescer"/>), so the receiving host stack runs once per batch.</item>
/// </list>
/// </summary>
public sealed partial class DataPlaneHost
{
    private const int TunReadSize = VirtioNetHeader.Length + MaxPacket;

    /// <summary>Most packets taken from the TUN device per wake-up before the batch is sent.</summary>
    internal const int MaxTunBurst = 64;

    private void OffloadTunLoop()
    {
        // The read lands so that the IP packet starts at Headroom (the header sits just before it).
        int readOffset = UserspaceKernel.Headroom - VirtioNetHeader.Length;
        var buffer = new byte[UserspaceKernel.Headroom + MaxPacket + UserspaceKernel.Tailroom];
        var segment = new byte[UserspaceKernel.Headroom + MaxPacket + UserspaceKernel.Tailroom];
        var batch = new EspSendBatch(Udp, Kernel);
        using var pool = new PacketWorkerPool(Kernel.PacketThreads, $"seal {Tun.Name}", SetPacketPriority);
        var sealer = pool.Workers > 1 ? new SegmentSealer(Kernel, pool) : null;
        var burst = pool.Workers > 1 ? new BurstSealer(Kernel, pool) : null;
        var queueDrops = new TunQueueDrops(Tun.Name);
        while (!_stopping)
        {
            int n = Tun.Read(buffer.AsSpan(readOffset, TunReadSize), PollMs);
            if (n < 0)
            {
                ReportLost(Tun);
                break;
            }
            Kernel.Statistics.CountDrops(DropReason.TunQueueFull, queueDrops.Poll());
            if (n == 0)
                continue;
            try
            {
                // A burst: every packet already queued (up to MaxTunBurst) is sealed into the
                // batch, which then leaves in as few sends as the sizes allow (UDP GSO).
                int reads = 1;
                for (; ; reads++)
                {
                    if (n > VirtioNetHeader.Length)
                        SealRead(buffer, readOffset, n, segment, batch, sealer, burst);
                    if (reads == MaxTunBurst)
                        break;
                    n = Tun.ReadQueued(buffer.AsSpan(readOffset, TunReadSize));
                    if (n <= 0)
                        break;
                }
                burst?.Flush(batch);
                batch.Flush();
                if (reads == MaxTunBurst)
                    YieldToConsumers();
            }
            catch (Exception e)
            {
                _log.LogError(e, "outbound packet processing failed");
            }
        }
    }

    /// <summary>
    /// The overload bound (<see cref="YieldUnderLoad"/>): after a full TUN burst, or after a NAT-T
    /// receive whose packets went into the TUN device, the packet thread gives its CPU to whatever
    /// else is runnable there (sched_yield) before taking more. Those are the packets' consumers:
    /// the application our TUN writes woke, the peer's stack. A reader that never sleeps under
    /// overload otherwise keeps them waiting a whole time slice while it delivers burst after burst
    /// into a full socket, where the kernel drops them after Petrel paid for them. With nothing
    /// else runnable the call returns at once (one system call per burst).
    /// </summary>
    private void YieldToConsumers()
    {
        if (YieldUnderLoad)
            Thread.Yield();
    }

    /// <summary>One read from the TUN device: a packet, or a TCP/UDP super-segment cut into wire-sized ones; each sealed into the batch.</summary>
    /// <remarks>
    /// With several packet threads, separate packets wait in burst and are sealed together at the end
    /// of the TUN burst; whatever takes another path first seals what is waiting, so each SA's
    /// packets still enter the send batch in sequence order.
    /// </remarks>
    private void SealRead(byte[] buffer, int readOffset, int n, byte[] segment, EspSendBatch batch, SegmentSealer? sealer, BurstSealer? burst)
    {
        var header = VirtioNetHeader.Read(buffer.AsSpan(readOffset));
        int length = n - VirtioNetHeader.Length;
        var packet = buffer.AsSpan(UserspaceKernel.Headroom, length);
        if (header.GsoType == VirtioNetHeader.GsoNone)
        {
            if (!TsoSegmenter.CompleteChecksum(packet, header) || (burst is not null && burst.TryAdd(packet, 0)))
                return;
            burst?.Flush(batch);
            SealInto(batch, buffer, UserspaceKernel.Headroom, length);
            return;
        }
        burst?.Flush(batch);
        if (sealer is not null && sealer.TrySeal(buffer, UserspaceKernel.Headroom, length, header, batch))
            return;
        int count = TsoSegmenter.SegmentCount(packet, header, out int headerLength);
        if (count == 0)
            Kernel.Statistics.CountDrops(DropReason.Malformed, 1);
        var target = segment.AsSpan(UserspaceKernel.Headroom, MaxPacket);
        for (int i = 0; i < count; i++)
        {
            int segLength = TsoSegmenter.WriteSegment(packet, header, headerLength, i, count, target);
            if (segLength > 0)
                SealInto(batch, segment, UserspaceKernel.Headroom, segLength);
        }
    }

    private void SealInto(EspSendBatch batch, byte[] buffer, int offset, int length)
    {
        var result = Kernel.SealOutbound(buffer, offset, length, out int espOffset, out int espLength, out var peer);
        if (result == DropReason.None && peer is not null)
            batch.Add(peer, buffer.AsSpan(espOffset, espLength));
    }

    /// <summary>
    /// One UDP socket's reader: recvmmsg takes every queued message at once (each a datagram or,
    /// with UDP_GRO, up to 64 KB of equal-sized datagrams of one sender), RFC 3948 demultiplexes
    /// each datagram (ESP, IKE behind the non-ESP marker, keepalive), and the ESP packets of the
    /// whole receive go through the kernel's one inbound step (<see cref="InboundBatch"/>: open,
    /// coalesce, write). Port 500 carries only IKE, without a marker. Datagrams the kernel dropped
    /// for a full receive buffer are counted as <see cref="DropReason.ReceiveQueueFull"/>.
    /// </summary>
    private void UdpLoop(UdpEndpoint endpoint)
    {
        // Headroom in front of every slot: transport mode writes an IP header before the decrypted payload.
        using var batch = new RawReceiveBatch();
        bool natT = endpoint.Port == Udp.NatTPort;
        var inbound = Kernel.CreateInboundBatch(Tun.Offload ? Tun : null);
        using var pool = new PacketWorkerPool(natT ? Kernel.PacketThreads : 1, $"open {endpoint.Port}", SetPacketPriority);
        var opener = pool.Workers > 1 ? new DatagramOpener(Kernel, pool) : null;
        uint drops = 0;
        while (!_stopping)
        {
            int n = endpoint.ReceiveBatch(batch, PollMs);
            if (n < 0)
                break;
            if (n == 0)
                continue;
            if (batch.SocketDrops != drops)
            {
                Kernel.Statistics.CountDrops(DropReason.ReceiveQueueFull, (long)(batch.SocketDrops - drops));
                drops = batch.SocketDrops;
            }
            try
            {
                for (int m = 0; m < n; m++)
                {
                    int start = batch.Offset(m);
                    int length = batch.Length(m);
                    if (!natT)
                    {
                        DeliverIke(batch.Destination(m), batch.Source(m), batch.Buffer.AsSpan(start, length));
                        continue;
                    }
                    int step = batch.SegmentSize(m) > 0 ? batch.SegmentSize(m) : length;
                    if (opener is not null && opener.TryOpen(batch.Buffer, start, length, step, inbound))
                        continue;
                    for (int off = start; off < start + length; off += step)
                    {
                        int len = Math.Min(step, start + length - off);
                        var datagram = batch.Buffer.AsSpan(off, len);
                        switch (UdpEncapsulation.Classify(datagram))
                        {
                            case UdpDatagramKind.Esp:
                                inbound.Open(batch.Buffer, off, len);
                                break;
                            case UdpDatagramKind.Ike:
                                inbound.Flush();
                                DeliverIke(batch.Destination(m), batch.Source(m), datagram[UdpEncapsulation.NonEspMarkerLength..]);
                                break;
                            default:
                                break; // keepalive (RFC 3948 §2.3) or runt
                        }
                    }
                }
                inbound.Flush();
                if (natT)
                    YieldToConsumers();
            }
            catch (Exception e)
            {
                _log.LogError(e, "inbound datagram on {Endpoint} failed", endpoint.LocalEndPoint);
            }
        }
    }
}
