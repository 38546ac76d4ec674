using Petrel.DataPlane.Pipeline;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>In-memory tunnel device: records every packet the kernel writes to it (from any number of packet threads).</summary>
internal sealed class CapturingTunnel : ITunnelDevice
{
    public List<byte[]> Written { get; } = [];

    public bool WritePacket(ReadOnlySpan<byte> packet)
    {
        var copy = packet.ToArray();
        lock (Written)
            Written.Add(copy);
        return true;
    }
}
