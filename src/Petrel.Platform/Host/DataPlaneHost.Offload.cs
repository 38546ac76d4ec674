using Microsoft.Extensions.Logging;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;

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

    private void OffloadTunLoop()
    {
        // The read lands so that the IP packet starts at Headroom (the header sits just before it).
        int readOffset = UserspaceKernel.Headroom - VirtioNetHeader.Length;
        var buffer = new byte[UserspaceKernel.Headroom + MaxPacket + UserspaceKernel.Tailroom];
        var segment = new byte[UserspaceKernel.Headroom + MaxPacket + UserspaceKernel.Tailroom];
        var batch = new EspSendBatch(Udp, Kernel);
        using var pool = new PacketWorkerPool(Kernel.PacketThreads, $"seal {Tun.Name}");
        var sealer = pool.Workers > 1 ? new SegmentSealer(Kernel, pool) : null;
        while (!_stopping)
        {
            int n = Tun.Read(buffer.AsSpan(readOffset, TunReadSize), PollMs);
            if (n < 0)
                break;
            if (n <= VirtioNetHeader.Length)
                continue;
            try
            {
                var header = VirtioNetHeader.Read(buffer.AsSpan(readOffset));
                int length = n - VirtioNetHeader.Length;
                var packet = buffer.AsSpan(UserspaceKernel.Headroom, length);
                if (header.GsoType == VirtioNetHeader.GsoNone)
                {
                    if (TsoSegmenter.CompleteChecksum(packet, header))
                        SealInto(batch, buffer, UserspaceKernel.Headroom, length);
                }
                else if (sealer is null || !sealer.TrySeal(buffer, UserspaceKernel.Headroom, length, header, batch))
                {
                    int count = TsoSegmenter.SegmentCount(packet, header, out int headerLength);
                    var target = segment.AsSpan(UserspaceKernel.Headroom, MaxPacket);
                    for (int i = 0; i < count; i++)
                    {
                        int segLength = TsoSegmenter.WriteSegment(packet, header, headerLength, i, count, target);
                        if (segLength > 0)
                            SealInto(batch, segment, UserspaceKernel.Headroom, segLength);
                    }
                }
                batch.Flush();
            }
            catch (Exception e)
            {
                _log.LogError(e, "outbound packet processing failed");
            }
        }
    }

    private void SealInto(EspSendBatch batch, byte[] buffer, int offset, int length)
    {
        var result = Kernel.SealOutbound(buffer, offset, length, out int espOffset, out int espLength, out var peer);
        if (result == DropReason.None && peer is not null)
            batch.Add(peer, buffer.AsSpan(espOffset, espLength));
    }

    private void GroUdpLoop(UdpEndpoint endpoint)
    {
        // Headroom in front: transport mode writes an IP header before the decrypted payload.
        int start = UserspaceKernel.InboundHeadroom;
        var buffer = new byte[start + MaxPacket + 1];
        var coalescer = new TcpCoalescer(Tun);
        using var pool = new PacketWorkerPool(Kernel.PacketThreads, $"open {endpoint.Port}");
        var opener = pool.Workers > 1 ? new DatagramOpener(Kernel, pool) : null;
        while (!_stopping)
        {
            int n = endpoint.Receive(buffer.AsSpan(start), PollMs, out var source, out var destination, out int segmentSize);
            if (n < 0)
                break;
            if (n == 0)
                continue;
            try
            {
                int step = segmentSize > 0 ? segmentSize : n;
                if (opener is not null && opener.TryOpen(buffer, start, n, step, coalescer))
                    continue;
                for (int off = start; off < start + n; off += step)
                {
                    int len = Math.Min(step, start + n - off);
                    var datagram = buffer.AsSpan(off, len);
                    switch (UdpEncapsulation.Classify(datagram))
                    {
                        case UdpDatagramKind.Esp:
                            if (Kernel.RebuildsHeaderInPlace(datagram))
                                coalescer.Flush();
                            if (Kernel.OpenInbound(buffer, off, len, out int innerOffset, out int innerLength) == DropReason.None
                                && innerLength > 0 && !coalescer.Add(buffer, innerOffset, innerLength))
                            {
                                Kernel.CountSendFailure();
                            }
                            break;
                        case UdpDatagramKind.Ike:
                            coalescer.Flush();
                            DeliverIke(destination, source, datagram[UdpEncapsulation.NonEspMarkerLength..]);
                            break;
                        default:
                            break; // keepalive (RFC 3948 §2.3) or runt
                    }
                }
                if (!coalescer.Flush())
                    Kernel.CountSendFailure();
            }
            catch (Exception e)
            {
                _log.LogError(e, "inbound datagram from {Source} failed", source);
            }
        }
    }
}
