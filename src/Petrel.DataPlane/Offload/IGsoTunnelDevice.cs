using Petrel.DataPlane.Pipeline;

namespace Petrel.DataPlane.Offload;

/// <summary>
/// A tunnel device that accepts one coalesced TCP (or UDP) packet made of pieces of one buffer, behind a
/// <see cref="VirtioNetHeader"/> (a TUN device with IFF_VNET_HDR: the host stack then sees one
/// large, GRO-style packet instead of many small ones).
/// </summary>
public interface IGsoTunnelDevice : ITunnelDevice
{
    /// <summary>Writes header, then buffer's pieces in order, as one packet. False if the kernel refused it.</summary>
    bool WriteGso(in VirtioNetHeader header, byte[] buffer, ReadOnlySpan<PacketSlice> pieces);

    /// <summary>The device takes GSO_UDP_L4 writes (<see cref="UdpCoalescer"/>); false: UDP goes one datagram per write.</summary>
    bool AcceptsUdpGso => false;
}
