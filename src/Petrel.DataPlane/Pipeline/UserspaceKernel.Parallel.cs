using System.Net.Sockets;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// One pipeline per core: several packet threads seal and open packets of the same SA at once.
/// Every SA installed after <see cref="PacketThreads"/> is set holds that many context lanes
/// (<see cref="SaLane"/>; a thread picks its lane with <see cref="PacketLane.Current"/>). A host
/// that cuts one TCP super-segment into many ESP packets and seals them on several threads claims
/// the sequence numbers for the whole batch first (<see cref="TryReserveOutbound"/>), then seals
/// segment i with number first + i (<see cref="SealReserved"/>), so the packets still leave in
/// sequence order and the peer's replay window sees no reordering.
/// </summary>
public sealed partial class UserspaceKernel
{
    private int _packetThreads = 1;

    /// <summary>
    /// How many packet threads may work on one SA at the same time (context lanes per SA, at least 1).
    /// Set it before SAs are installed; SAs installed earlier keep their lanes (extra threads share lane 0's).
    /// </summary>
    public int PacketThreads
    {
        get => _packetThreads;
        init => _packetThreads = Math.Clamp(value, 1, 64);
    }

    /// <summary>
    /// A rekey removed sa between the SAD lookup and the seal (make-before-break: its successor is
    /// installed first), so the packet goes out on the policy's current SA instead of being lost.
    /// Only tunnel-mode ESP: its seal leaves the packet untouched when it finds the SA removed.
    /// </summary>
    private DropReason SealWithSuccessor(EspSa removed, in PacketFlow flow, Span<byte> buffer, int offset, int length, uint interfaceId,
        out int espOffset, out int espLength, out EspPeer? peer)
    {
        espOffset = 0;
        espLength = 0;
        peer = null;
        if (removed.Protocol != IpsecProtocol.Esp || removed.Mode != IpsecMode.Tunnel
            || _sad.FindOutbound(removed.ReqId) is not { } successor || ReferenceEquals(successor, removed))
        {
            return DropReason.SaRemoved;
        }
        return Seal(successor, flow, buffer, offset, length, interfaceId, out espOffset, out espLength, out peer);
    }

    /// <summary>
    /// For a TCP super-segment about to be cut into count segments that share its addresses and
    /// ports: finds the outbound SA its policy protects it with and claims count consecutive
    /// sequence numbers. False when the packet needs the ordinary path (no protect policy or SA
    /// yet, packets waiting for a trap, AH or transport mode, sequence space exhausted): seal each
    /// segment with <see cref="SealOutbound"/> then.
    /// </summary>
    public bool TryReserveOutbound(ReadOnlySpan<byte> packet, int count, uint interfaceId, out OutboundReservation reservation)
    {
        reservation = default;
        if (count <= 0 || AcquireQueue.Count != 0 || !IpPacketReader.TryRead(packet, out var flow))
            return false;
        var policy = _spd.LookupOutbound(flow, interfaceId);
        if (policy is null || policy.Action != PolicyAction.Protect)
            return false;
        var sa = _sad.FindOutbound(policy.ReqId);
        if (sa is null || sa.Disposed || sa.Protocol != IpsecProtocol.Esp || sa.Mode != IpsecMode.Tunnel)
            return false;
        if (!sa.TryReserveSequences(count, out ulong first))
            return false;
        byte next = flow.Family == AddressFamily.InterNetwork ? EspProcessor.NextHeaderIpv4 : EspProcessor.NextHeaderIpv6;
        reservation = new OutboundReservation(sa, first, count, interfaceId, next);
        return true;
    }

    /// <summary>
    /// Seals segment index of a reserved batch (any thread, each with its own buffer): MTU check,
    /// TFC padding and ESP with sequence number reservation.FirstSequence + index. On success the
    /// ESP packet is buffer[espOffset..espOffset+espLength] for peer. Counted like <see cref="SealOutbound"/>;
    /// a dropped segment leaves a gap in the sequence numbers, which receivers accept.
    /// </summary>
    public DropReason SealReserved(in OutboundReservation reservation, int index, Span<byte> buffer, int offset, int length,
        out int espOffset, out int espLength, out EspPeer? peer)
    {
        espOffset = 0;
        espLength = 0;
        peer = null;
        var sa = reservation.Sa ?? throw new ArgumentException("no reservation", nameof(reservation));
        if ((uint)index >= (uint)reservation.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, "outside the reserved batch");
        var result = PrepareOutbound(sa, buffer, offset, ref length, reservation.InterfaceId);
        if (result == DropReason.None)
            result = EspProcessor.Seal(sa, reservation.FirstSequence + (ulong)index, buffer, offset, length, reservation.NextHeader, out espOffset, out espLength);
        if (result == DropReason.None)
            peer = sa.Peer;
        else if (result == DropReason.SaRemoved && _sad.FindOutbound(sa.ReqId) is { Protocol: IpsecProtocol.Esp, Mode: IpsecMode.Tunnel } successor
            && !ReferenceEquals(successor, sa))
        {
            // Removed mid-batch by a rekey: the rest of the batch leaves on the new SA, with its next numbers.
            result = EspProcessor.Seal(successor, 0, buffer, offset, length, reservation.NextHeader, out espOffset, out espLength);
            if (result == DropReason.None)
                peer = successor.Peer;
        }
        if (result == DropReason.None)
        {
            Statistics.CountEncapsulated();
        }
        else
        {
            Statistics.CountDrop(result);
        }
        return result;
    }

    /// <summary>Test hook: the inbound SA spi's replay window as if packet highest had arrived (ESN tests near 2^32).</summary>
    internal bool ResumeInboundWindow(uint spi, ulong highest)
    {
        var sa = _sad.FindInbound(spi);
        if (sa?.Replay is not { } replay)
            return false;
        lock (sa.ReplayGate)
            return replay.Update(highest);
    }

    /// <summary>
    /// First half of <see cref="OpenInbound"/> for a batch opened on several threads (tunnel-mode ESP
    /// only: <see cref="RebuildsHeaderInPlace"/> must be false): SA by SPI, replay check, ICV,
    /// decryption and the inner policy check, but the replay window is not moved and nothing is
    /// counted until <see cref="CommitInbound"/>. Any thread, each with its own datagram.
    /// </summary>
    public InboundTicket OpenInboundDeferred(Span<byte> buffer, int offset, int length, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        innerLength = 0;
        var esp = buffer.Slice(offset, length);
        if (esp.Length < EspProcessor.HeaderLength)
            return new InboundTicket(DropReason.Truncated, null, 0, DropReason.None, 0, null);
        var sa = _sad.FindInbound(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(esp));
        if (sa is null || sa.Protocol != IpsecProtocol.Esp)
            return new InboundTicket(DropReason.UnknownSpi, null, 0, DropReason.None, 0, null);
        if (sa.Mode != IpsecMode.Tunnel)
            throw new InvalidOperationException($"SA {sa.Spi:x8} is transport mode: open it with OpenInbound");

        var opened = EspProcessor.Open(sa, esp, deferReplay: true, out int openedOffset, out int openedLength, out byte next, out ulong sequence);
        if (opened is not (DropReason.None or DropReason.Dummy or DropReason.BadPadding))
            return new InboundTicket(opened, null, 0, opened, 0, null);
        if (opened != DropReason.None)
            return new InboundTicket(opened, sa, sequence, opened, 0, null);

        // The same checks as the serial path (Decapsulate), after the ICV.
        var inner = esp.Slice(openedOffset, openedLength);
        int version = IpPacketReader.Version(inner);
        DropReason result = DropReason.None;
        ITunnelDevice? device = null;
        if (!(next == EspProcessor.NextHeaderIpv4 && version == 4) && !(next == EspProcessor.NextHeaderIpv6 && version == 6))
        {
            result = DropReason.BadNextHeader;
        }
        else if (!IpPacketReader.TryRead(inner, out var flow))
        {
            result = DropReason.Malformed;
        }
        else if (_spd.Find(sa.ReqId) is not { } policy || !policy.MatchesInbound(flow))
        {
            // RFC 4301 §5.2 step 4: the decrypted packet must match the selectors of the SA's policy.
            result = DropReason.PolicyMismatch;
        }
        else
        {
            var tunnel = TunnelFor(policy.Spec);
            inner = FinishInbound(sa, inner);
            innerOffset = offset + openedOffset;
            innerLength = inner.Length;
            if (!ReferenceEquals(tunnel, _tunnel))
                device = tunnel;
        }
        return new InboundTicket(result, sa, sequence, opened, openedLength, device);
    }

    /// <summary>
    /// Second half, called for the packets of a batch in arrival order: moves the replay window
    /// (Replay when a copy of the packet got there first), counts, and writes the inner packet
    /// buffer[innerOffset..+innerLength] itself when it belongs to a route-based interface (then
    /// innerLength becomes 0). On None with innerLength &gt; 0 the caller writes it to the shared device.
    /// </summary>
    public DropReason CommitInbound(in InboundTicket ticket, Span<byte> buffer, int innerOffset, ref int innerLength)
    {
        var result = ticket.Result;
        if (ticket.Authenticated is { } sa && EspProcessor.Commit(sa, ticket.Sequence, ticket.Opened, ticket.CountedLength) == DropReason.Replay)
            result = DropReason.Replay;
        if (result != DropReason.None)
            innerLength = 0;
        else if (ticket.Device is { } device)
        {
            if (!device.WritePacket(buffer.Slice(innerOffset, innerLength)))
                result = DropReason.SendFailed;
            innerLength = 0;
        }
        return CountInbound(result);
    }
}
