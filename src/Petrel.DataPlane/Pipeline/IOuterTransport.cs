using Petrel.DataPlane.Esp;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// Sends ESP and AH packets to peers: ESP-in-UDP (RFC 3948, port 4500) or raw IP protocol 50.
/// Implemented by Petrel.Platform's sockets; tests connect two kernels in memory.
/// Called on packet threads: must not allocate per packet and must not throw for a failed send.
/// </summary>
public interface IOuterTransport
{
    /// <summary>Sends one ESP packet (starting at the SPI) along the SA's outer path. False if it could not be sent.</summary>
    bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket);

    /// <summary>
    /// Sends one complete IP packet whose header the data plane built (AH, IP protocol 51, which
    /// authenticates the outer header). False if it could not be sent; transports without a raw
    /// path keep this default.
    /// </summary>
    bool SendIp(EspPeer peer, ReadOnlySpan<byte> ipPacket) => false;
}
