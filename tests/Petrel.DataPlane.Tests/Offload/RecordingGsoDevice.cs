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

    public bool WriteGso(in VirtioNetHeader header, byte[] buffer, ReadOnlySpan<PacketSlice> pieces)
    {
        var bytes = new List<byte>();
        foreach (var piece in pieces)
            bytes.AddRange(buffer.AsSpan(piece.Offset, piece.Length).ToArray());
        Writes.Add((header, bytes.ToArray()));
        return true;
    }
}
