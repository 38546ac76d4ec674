using Petrel.DataPlane.Esp;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// The packet calls split at the I/O boundary, for hosts that batch the I/O themselves (UDP GSO
/// sends of many ESP packets, GRO-style coalesced writes to the tunnel device). They count in
/// <see cref="Statistics"/> exactly like <see cref="ProcessOutbound"/> and <see cref="ProcessInbound"/>.
/// </summary>
public sealed partial class UserspaceKernel
{
    /// <summary>
    /// Like <see cref="ProcessOutbound"/> but leaves a sealed ESP packet at
    /// buffer[espOffset..espOffset+espLength] for the caller to send to peer. When peer is null
    /// on success the packet went out already (AH builds and sends whole IP packets itself).
    /// </summary>
    public DropReason SealOutbound(Span<byte> buffer, int offset, int length, out int espOffset, out int espLength, out EspPeer? peer)
    {
        var result = Seal(buffer, offset, length, 0, out espOffset, out espLength, out peer);
        if (result == DropReason.None)
            Statistics.CountEncapsulated();
        else
            Statistics.CountDrop(result);
        return result;
    }

    /// <summary>
    /// True when the ESP packet belongs to a transport-mode SA: opening it rebuilds an IP header
    /// in the bytes before it, so a caller holding earlier packets of the same buffer must flush them first.
    /// </summary>
    public bool RebuildsHeaderInPlace(ReadOnlySpan<byte> esp) =>
        esp.Length >= EspProcessor.HeaderLength
        && _sad.FindInbound(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(esp)) is { Mode: Petrel.DataPlane.Kernel.IpsecMode.Transport };

    /// <summary>
    /// Most decrypted UDP datagrams of one flow written to the tunnel device as one GSO_UDP_L4
    /// packet (2 to <see cref="Offload.UdpCoalescer.MaxSegments"/>; below 2: one datagram per write).
    /// The host stack splits the packet again before the receiving socket, where the whole run
    /// arrives at once.
    /// </summary>
    public int TunUdpGsoSegments { get; init; } = Offload.UdpCoalescer.MaxSegments;

    /// <summary>
    /// The inbound step for one receive thread: open, coalesce, write (<see cref="InboundBatch"/>).
    /// With a device that takes GSO writes (a TUN device with vnet headers) inner TCP and UDP
    /// packets are coalesced into it; without one each goes to the kernel's tunnel device alone.
    /// </summary>
    public InboundBatch CreateInboundBatch(Offload.IGsoTunnelDevice? gsoDevice = null) => new(this, _tunnel, gsoDevice);

    /// <summary>Counts a packet that <see cref="SealOutbound"/> sealed but the caller could not send.</summary>
    public void CountSendFailure() => Statistics.CountDrop(DropReason.SendFailed);

    /// <summary>
    /// Like <see cref="ProcessInbound(Span{byte}, int, int)"/> for the ESP packet at
    /// buffer[offset..offset+length] but does not write a tunnel-mode inner packet: on success it
    /// is buffer[innerOffset..innerOffset+innerLength], authenticated, decrypted and
    /// policy-checked, for the caller to write to the tunnel device. innerLength 0 on success
    /// means the packet was written already (transport mode rebuilds its own header).
    /// </summary>
    public DropReason OpenInbound(Span<byte> buffer, int offset, int length, out int innerOffset, out int innerLength) =>
        CountInbound(Decapsulate(buffer, offset, length, out innerOffset, out innerLength));
}
