using System.Buffers.Binary;

namespace Petrel.DataPlane.Offload;

/// <summary>
/// struct virtio_net_hdr (virtio 1.x §5.1.6, linux/virtio_net.h), the 10-byte header a TUN
/// device opened with IFF_VNET_HDR puts before every packet. Little-endian on the hosts Petrel
/// runs on (legacy virtio uses native order; TUNSETVNETLE is not needed on x86/arm64).
/// </summary>
public readonly record struct VirtioNetHeader(byte Flags, byte GsoType, ushort HeaderLength, ushort GsoSize, ushort ChecksumStart, ushort ChecksumOffset)
{
    public const int Length = 10;

    /// <summary>The checksum from ChecksumStart to the end is partial: fold it into ChecksumStart + ChecksumOffset.</summary>
    public const byte FlagNeedsChecksum = 1;

    /// <summary>The checksum was verified already.</summary>
    public const byte FlagDataValid = 2;

    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;
    public const byte GsoUdpL4 = 5;
    public const byte GsoEcn = 0x80;

    public static VirtioNetHeader Read(ReadOnlySpan<byte> b) => new(
        b[0], b[1],
        BinaryPrimitives.ReadUInt16LittleEndian(b[2..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[6..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));

    public void Write(Span<byte> b)
    {
        b[0] = Flags;
        b[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(b[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(b[6..], ChecksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], ChecksumOffset);
    }
}
