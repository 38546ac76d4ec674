namespace Petrel.DataPlane.Pipeline;

/// <summary>The write side of the TUN device decrypted inner packets go to. Implemented in Petrel.Platform.</summary>
public interface ITunnelDevice
{
    /// <summary>Writes one IP packet. False if the device refused it. Must not throw on a packet thread.</summary>
    bool WritePacket(ReadOnlySpan<byte> packet);
}
