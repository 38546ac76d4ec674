using System.Buffers.Binary;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Offload;

/// <summary>
/// UDP GRO for decrypted inner packets on their way to a TUN device that takes GSO_UDP_L4 writes
/// (<see cref="IGsoTunnelDevice.AcceptsUdpGso"/>): consecutive datagrams of one flow (same IP
/// header apart from length, IPv4 ID and checksum; same ports) with equal payload sizes, the last
/// possibly shorter, become one write with a <see cref="VirtioNetHeader"/> (GSO UDP L4,
/// NEEDS_CSUM). The host stack then passes the batch once through routing and splits it again in
/// __udp_gso_segment, which gives every datagram back its own length and checksum (the IPv4 ID
/// counts up from the first one's). The first datagram's headers are rewritten in place (lengths,
/// IPv4 header checksum, the pseudo-header sum CHECKSUM_PARTIAL expects); later ones contribute
/// their payload by reference. A datagram joins only if its own checksum verifies (or is 0 on
/// IPv4: none), since the stack recomputes checksums when it splits the batch; anything else is
/// written alone so the stack drops it as it would without coalescing.
/// One instance per packet thread; the datagrams of a run all live in one buffer.
/// </summary>
public sealed class UdpCoalescer
{
    /// <summary>linux/udp.h UDP_MAX_SEGMENTS was 64 before 6.x; stay at the lower bound.</summary>
    public const int MaxSegments = 64;
    private const int MaxPacket = 65535;
    private const byte ProtoUdp = 17;
    private const int UdpHeader = 8;

    private readonly IGsoTunnelDevice _device;
    private readonly int _maxSegments;
    private readonly PacketSlice[] _pieces = new PacketSlice[MaxSegments];
    private byte[]? _buffer;
    private int _count;
    private int _first;
    private int _ipHeader;
    private int _segmentSize;   // payload bytes of the first datagram = GSO size
    private int _total;         // IP packet length of the run so far
    private bool _closed;       // a shorter datagram ended the run

    /// <param name="maxSegments">Most datagrams in one write, 2 to <see cref="MaxSegments"/>.</param>
    public UdpCoalescer(IGsoTunnelDevice device, int maxSegments = MaxSegments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegments, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSegments, MaxSegments);
        _device = device;
        _maxSegments = maxSegments;
    }

    /// <summary>Datagrams written as part of a GSO write of two or more.</summary>
    public long CoalescedDatagrams { get; private set; }

    /// <summary>GSO writes of two or more datagrams.</summary>
    public long GsoWrites { get; private set; }

    /// <summary>Datagrams written one by one.</summary>
    public long SinglePackets { get; private set; }

    /// <summary>True while a run is held (not yet written).</summary>
    public bool Holding => _count > 0;

    /// <summary>An IPv4 (no options, not a fragment) or IPv6 (no extension header) UDP datagram with consistent lengths.</summary>
    public static bool IsCandidate(ReadOnlySpan<byte> p) => Parse(p, out _);

    /// <summary>
    /// Takes the datagram buffer[offset..offset+length] (a candidate, see <see cref="IsCandidate"/>);
    /// it is written now or at the next <see cref="Flush"/>. False if a write failed.
    /// </summary>
    public bool Add(byte[] buffer, int offset, int length)
    {
        var packet = buffer.AsSpan(offset, length);
        if (Refused || !Parse(packet, out int ipHeader) || !ChecksumValid(packet, ipHeader))
        {
            bool flushed = Flush();
            SinglePackets++;
            return _device.WritePacket(packet) && flushed;
        }
        if (_count > 0 && ReferenceEquals(buffer, _buffer) && TryAppend(buffer, packet, offset, ipHeader))
            return true;
        bool ok = Flush();
        _buffer = buffer;
        _first = offset;
        _ipHeader = ipHeader;
        _segmentSize = length - ipHeader - UdpHeader;
        _total = length;
        _closed = false;
        _pieces[0] = new PacketSlice(offset, length);
        _count = 1;
        return ok;
    }

    /// <summary>
    /// The device refused a GSO_UDP_L4 write before any succeeded (a kernel that took TUN_F_USO4/6
    /// but not the packets): from then on every datagram is written alone, the refused run included.
    /// </summary>
    public bool Refused { get; private set; }

    /// <summary>Writes the held run, if any.</summary>
    public bool Flush()
    {
        if (_count == 0)
            return true;
        var buffer = _buffer!;
        int count = _count;
        _count = 0;
        _buffer = null;
        if (count == 1)
        {
            SinglePackets++;
            return _device.WritePacket(buffer.AsSpan(_first, _pieces[0].Length));
        }
        int headerLength = _ipHeader + UdpHeader;
        var head = buffer.AsSpan(_first, headerLength);
        Span<byte> saved = stackalloc byte[40 + UdpHeader];
        head.CopyTo(saved);
        IpDatagram.SetTotalLength(head, _ipHeader, _total);
        var udp = head[_ipHeader..];
        int udpLength = _total - _ipHeader;
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        // CHECKSUM_PARTIAL: the folded, uncomplemented pseudo-header sum with this (large) UDP
        // length; __udp_gso_segment swaps the length for each datagram's own.
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], InternetChecksum.Fold(InternetChecksum.PseudoHeader(head, ProtoUdp, udpLength)));
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoUdpL4,
            (ushort)headerLength, (ushort)_segmentSize, (ushort)_ipHeader, 6);
        if (_device.WriteGso(header, buffer, _pieces.AsSpan(0, count)))
        {
            CoalescedDatagrams += count;
            GsoWrites++;
            return true;
        }
        if (GsoWrites > 0)
            return false; // the device took GSO before: this is a failed write, not a refusal
        // Refused: put the first datagram's headers back and write the run one datagram at a time
        // (every later datagram's headers still sit, untouched, just before its payload).
        Refused = true;
        saved[..headerLength].CopyTo(head);
        bool ok = _device.WritePacket(buffer.AsSpan(_first, _pieces[0].Length));
        for (int i = 1; i < count; i++)
            ok &= _device.WritePacket(buffer.AsSpan(_pieces[i].Offset - headerLength, _pieces[i].Length + headerLength));
        SinglePackets += count;
        return ok;
    }

    private bool TryAppend(byte[] buffer, ReadOnlySpan<byte> packet, int offset, int ipHeader)
    {
        int payload = packet.Length - ipHeader - UdpHeader;
        if (_closed || _count == _maxSegments || ipHeader != _ipHeader || payload > _segmentSize
            || payload == 0 || _total + payload > MaxPacket)
        {
            return false;
        }
        if (!SameFlow(buffer.AsSpan(_first, _ipHeader + UdpHeader), packet))
            return false;
        _pieces[_count++] = new PacketSlice(offset + ipHeader + UdpHeader, payload);
        _total += payload;
        _closed = payload < _segmentSize;
        return true;
    }

    private static bool SameFlow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> p)
    {
        if (head[0] >> 4 == 4)
        {
            // version/IHL, TOS; flags (DF); TTL, protocol; addresses; ports.
            return p[0] == head[0] && p[1] == head[1] && p[6] == head[6] && p[7] == head[7] && p[8] == head[8] && p[9] == head[9]
                && p.Slice(12, 12).SequenceEqual(head.Slice(12, 12));
        }
        // version, traffic class, flow label; next header, hop limit; addresses; ports.
        return p[..4].SequenceEqual(head[..4]) && p[6] == head[6] && p[7] == head[7] && p.Slice(8, 36).SequenceEqual(head.Slice(8, 36));
    }

    private static bool Parse(ReadOnlySpan<byte> p, out int ipHeader)
    {
        ipHeader = 0;
        if (p.Length < 28)
            return false;
        int version = p[0] >> 4;
        if (version == 4)
        {
            if (p[0] != 0x45 || p[9] != ProtoUdp || (BinaryPrimitives.ReadUInt16BigEndian(p[6..]) & 0x3FFF) != 0
                || BinaryPrimitives.ReadUInt16BigEndian(p[2..]) != p.Length)
            {
                return false;
            }
            ipHeader = 20;
        }
        else if (version == 6)
        {
            if (p.Length < 48 || p[6] != ProtoUdp || BinaryPrimitives.ReadUInt16BigEndian(p[4..]) != p.Length - 40)
                return false;
            ipHeader = 40;
        }
        else
        {
            return false;
        }
        return BinaryPrimitives.ReadUInt16BigEndian(p[(ipHeader + 4)..]) == p.Length - ipHeader;
    }

    private static bool ChecksumValid(ReadOnlySpan<byte> p, int ipHeader)
    {
        var udp = p[ipHeader..];
        if (ipHeader == 20 && udp[6] == 0 && udp[7] == 0)
            return true; // IPv4 without a UDP checksum (RFC 768)
        ulong sum = InternetChecksum.PseudoHeader(p, ProtoUdp, udp.Length);
        return InternetChecksum.Fold(InternetChecksum.Add(sum, udp)) == 0xFFFF;
    }
}
