using Petrel.DataPlane.Offload;

namespace Petrel.DataPlane.Tests.Offload;

/// <summary>Records what a TUN device with vnet headers would receive: the header and the bytes, concatenated.</summary>
internal sealed class RecordingGsoDevice : IGsoTunnelDevice
{
    public List<(VirtioNetHeader? Header, byte[] Packet)> Writes { get; } = [];

    public bool WritePacket(ReadOnlySpan<byte> packet)
    {
        Writes.Add((null, packet.ToArray()));
        return true;
    }

    /// <summary>Refuse every GSO write, as a kernel would that takes TUN_F_USO4/6 but not the packets.</summary>
    public bool RefuseGso { get; init; }

    public bool WriteGso(in VirtioNetHeader header, byte[] buffer, ReadOnlySpan<PacketSlice> pieces)
    {
        if (RefuseGso)
            return false;
        var bytes = new List<byte>();
        foreach (var piece in pieces)
            bytes.AddRange(buffer.AsSpan(piece.Offset, piece.Length).ToArray());
        Writes.Add((header, bytes.ToArray()));
        return true;
    }
}
