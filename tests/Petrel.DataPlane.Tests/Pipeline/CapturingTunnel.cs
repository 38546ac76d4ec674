using Petrel.DataPlane.Pipeline;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>In-memory tunnel device: records every packet the kernel writes to it.</summary>
internal sealed class CapturingTunnel : ITunnelDevice
{
    public List<byte[]> Written { get; } = [];

    public bool WritePacket(ReadOnlySpan<byte> packet)
    {
        Written.Add(packet.ToArray());
        return true;
    }
}
