using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Pipeline;

/// <summary>ESP transport mode (RFC 4303 §3.1.1): the host's own traffic to its peer.</summary>
public sealed partial class UserspaceKernel
{
    /// <summary>Space callers of the buffer overload of <see cref="ProcessInbound(Span{byte}, int, int)"/> leave before the packet.</summary>
    public const int InboundHeadroom = 64;

    /// <summary>
    /// The IP header of the host's packet is not sent: the outer socket builds the same one (both
    /// ends are the SA's endpoints), and ESP protects the upper-layer payload with the header's
    /// protocol in its trailer.
    /// </summary>
    private DropReason OutboundEspTransport(EspSa sa, Span<byte> buffer, int offset, int length)
    {
        var split = EspTransportMode.Split(buffer.Slice(offset, length), out int header, out byte next);
        if (split != DropReason.None)
            return split;
        // The host routed this packet to the peer through the TUN device; anything else under a
        // transport-mode policy would leave with an outer header naming the wrong destination.
        if ((buffer[offset] >> 4 == 6) != (sa.Peer.Remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
            return DropReason.PolicyMismatch;
        var result = EspProcessor.Seal(sa, buffer, offset + header, length - header, next, out int espOffset, out int espLength);
        if (result != DropReason.None)
            return result;
        return _outer.SendEsp(sa.Peer, buffer.Slice(espOffset, espLength)) ? DropReason.None : DropReason.SendFailed;
    }

    /// <summary>
    /// Puts an IP header (peer → us, protocol = ESP's Next Header) in front of the decrypted
    /// payload at buffer[payloadOffset..], checks the result against the policy and hands it to the
    /// tunnel device. end is where the received packet ended (the trailer lies before it).
    /// </summary>
    private DropReason InboundEspTransport(EspSa sa, Span<byte> buffer, int payloadOffset, int payloadLength, int end, byte next)
    {
        var family = sa.Spec.Destination.AddressFamily;
        int header = EspTransportMode.HeaderLength(family);
        int start = payloadOffset - header;
        if (start < 0)
        {
            // No headroom: slide the payload back over the ESP trailer if it fits.
            if (header + payloadLength > end)
                return DropReason.TooBig;
            buffer.Slice(payloadOffset, payloadLength).CopyTo(buffer[header..]);
            start = 0;
        }
        if (!EspTransportMode.Rebuild(buffer.Slice(start, header), sa.Spec.Source.Address, sa.Spec.Destination.Address, next, payloadLength))
            return DropReason.Malformed;
        var packet = buffer.Slice(start, header + payloadLength);
        if (!IpPacketReader.TryRead(packet, out var flow))
            return DropReason.Malformed;
        // Across a NAT the peer's checksums cover addresses other than these (RFC 3948 §3.1.2).
        if (!sa.NatChecksum.Apply(packet))
            return DropReason.Malformed;
        // RFC 4301 §5.2 step 4: the packet must match the selectors of the SA's policy.
        var policy = _spd.Find(sa.ReqId);
        if (policy is null || !policy.MatchesInbound(flow))
            return DropReason.PolicyMismatch;
        return _tunnel.WritePacket(packet) ? DropReason.None : DropReason.SendFailed;
    }

    /// <summary>Test hook: the outbound SA of reqId continues its sequence counter after last.</summary>
    internal bool ResumeOutboundSequence(uint reqId, ulong last)
    {
        var sa = _sad.FindOutbound(reqId);
        sa?.ResumeSequenceAfter(last);
        return sa is not null;
    }
}
