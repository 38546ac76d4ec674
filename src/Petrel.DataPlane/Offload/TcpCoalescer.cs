using System.Buffers.Binary;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Offload;

/// <summary>
/// GRO for decrypted inner packets on their way to a TUN device with vnet headers: consecutive
/// in-order TCP segments of one flow (same addresses, ports, ACK, window, options; plain ACK
/// flags, PSH allowed on the last; equal sizes except a shorter last one) become one packet with
/// a <see cref="VirtioNetHeader"/> (GSO TCPv4/TCPv6, NEEDS_CSUM), so the host's TCP stack runs
/// once per batch instead of once per segment — the rules mirror Linux tcp_gro_receive. The
/// first segment's headers are rewritten in place (length, IPv4 header checksum, pseudo-header
/// checksum as CHECKSUM_PARTIAL expects); later segments contribute only their payload, by
/// reference. Every segment's TCP checksum is verified before it joins, so a corrupted packet
/// is written alone and dropped by the stack as it would be without coalescing.
/// One instance per packet thread; packets of one batch all live in one buffer.
/// </summary>
public sealed class TcpCoalescer
{
    /// <summary>Linux accepts up to 64 segments in one GRO packet by default (gro_max_size 64 KB).</summary>
    public const int MaxSegments = 64;
    private const int MaxPacket = 65535;
    private const byte ProtoTcp = 6;
    private const byte TcpAck = 0x10;
    private const byte TcpPsh = 0x08;

    private readonly IGsoTunnelDevice _device;
    private readonly PacketSlice[] _pieces = new PacketSlice[MaxSegments];
    private byte[]? _buffer;
    private int _count;          // segments in the open run
    private int _first;          // offset of the first segment (headers live there)
    private int _ipHeader;       // IP header length of the run (TCP starts here)
    private int _headerLength;   // IP + TCP headers
    private int _segmentSize;    // payload bytes of the first segment = GSO size
    private int _total;          // IP packet length of the run so far
    private uint _nextSeq;
    private bool _closed;        // a short or PSH segment ended the run
    private bool _psh;

    public TcpCoalescer(IGsoTunnelDevice device) => _device = device;

    /// <summary>Packets written as coalesced GSO packets (segments merged into a larger one).</summary>
    public long CoalescedSegments { get; private set; }

    /// <summary>GSO writes of two or more segments.</summary>
    public long GsoWrites { get; private set; }

    /// <summary>Packets written one by one.</summary>
    public long SinglePackets { get; private set; }

    /// <summary>
    /// Takes the inner packet buffer[offset..offset+length]; it may be written now or at the next
    /// <see cref="Flush"/>. All packets until Flush must be in the same buffer. False if a write failed.
    /// </summary>
    public bool Add(byte[] buffer, int offset, int length)
    {
        var packet = buffer.AsSpan(offset, length);
        if (_count > 0 && ReferenceEquals(buffer, _buffer) && TryAppend(buffer, packet, offset))
            return true;
        bool ok = Flush();
        if (IsCandidate(packet, out int ipHeader, out int headerLength))
        {
            Start(buffer, packet, offset, ipHeader, headerLength);
            return ok;
        }
        SinglePackets++;
        return _device.WritePacket(packet) && ok;
    }

    /// <summary>Writes the open run, if any.</summary>
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
        var head = buffer.AsSpan(_first, _headerLength);
        bool v4 = head[0] >> 4 == 4;
        IpDatagram.SetTotalLength(head, _ipHeader, _total);
        var tcp = head[_ipHeader..];
        if (_psh)
            tcp[13] |= TcpPsh;
        // CHECKSUM_PARTIAL: the field carries the folded, uncomplemented pseudo-header sum.
        ushort pseudo = InternetChecksum.Fold(InternetChecksum.PseudoHeader(head, ProtoTcp, _total - _ipHeader));
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], pseudo);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, v4 ? VirtioNetHeader.GsoTcpV4 : VirtioNetHeader.GsoTcpV6,
            (ushort)_headerLength, (ushort)_segmentSize, (ushort)_ipHeader, 16);
        CoalescedSegments += count;
        GsoWrites++;
        return _device.WriteGso(header, buffer, _pieces.AsSpan(0, count));
    }

    private void Start(byte[] buffer, ReadOnlySpan<byte> packet, int offset, int ipHeader, int headerLength)
    {
        _buffer = buffer;
        _first = offset;
        _ipHeader = ipHeader;
        _headerLength = headerLength;
        _segmentSize = packet.Length - headerLength;
        _total = packet.Length;
        _nextSeq = BinaryPrimitives.ReadUInt32BigEndian(packet[(ipHeader + 4)..]) + (uint)_segmentSize;
        _psh = (packet[ipHeader + 13] & TcpPsh) != 0;
        _closed = _psh;
        _pieces[0] = new PacketSlice(offset, packet.Length);
        _count = 1;
    }

    private bool TryAppend(byte[] buffer, ReadOnlySpan<byte> packet, int offset)
    {
        if (_closed || _count == MaxSegments || packet.Length <= _headerLength)
            return false;
        int payload = packet.Length - _headerLength;
        if (payload > _segmentSize || _total + payload > MaxPacket)
            return false;
        var head = buffer.AsSpan(_first, _headerLength);
        int declared = head[0] >> 4 == 4 ? BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) : BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + 40;
        if (declared != packet.Length || !SameFlow(head, packet))
            return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(packet[(_ipHeader + 4)..]) != _nextSeq)
            return false;
        byte flags = packet[_ipHeader + 13];
        if ((flags & ~TcpPsh) != TcpAck || !ChecksumValid(packet, _ipHeader))
            return false;
        _pieces[_count++] = new PacketSlice(offset + _headerLength, payload);
        _total += payload;
        _nextSeq += (uint)payload;
        if ((flags & TcpPsh) != 0)
            _psh = true;
        _closed = _psh || payload < _segmentSize;
        return true;
    }

    /// <summary>Same IP header fields that GRO compares, same TCP header except sequence number, flags and checksum.</summary>
    private bool SameFlow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> p)
    {
        int ip = _ipHeader;
        if (head[0] >> 4 == 4)
        {
            // version/IHL, TOS; flags+fragment offset (DF only); TTL, protocol; addresses.
            if (p[0] != head[0] || p[1] != head[1] || p[6] != head[6] || p[7] != head[7]
                || p[8] != head[8] || p[9] != head[9] || !p.Slice(12, 8).SequenceEqual(head.Slice(12, 8)))
                return false;
        }
        else
        {
            // version, traffic class, flow label; next header, hop limit; addresses.
            if (!p[..4].SequenceEqual(head[..4]) || p[6] != head[6] || p[7] != head[7] || !p.Slice(8, 32).SequenceEqual(head.Slice(8, 32)))
                return false;
        }
        var a = head[ip..];
        var b = p[ip..];
        return a[..4].SequenceEqual(b[..4])                 // ports
            && a.Slice(8, 4).SequenceEqual(b.Slice(8, 4))   // acknowledgment number
            && a[12] == b[12]                               // data offset
            && a.Slice(14, 2).SequenceEqual(b.Slice(14, 2)) // window
            && a.Slice(18, _headerLength - ip - 18).SequenceEqual(b.Slice(18, _headerLength - ip - 18)); // urgent pointer, options
    }

    /// <summary>A TCP segment with data and plain ACK (PSH allowed), no IPv4 options or fragments, no IPv6 extension headers, valid checksum.</summary>
    private static bool IsCandidate(ReadOnlySpan<byte> p, out int ipHeader, out int headerLength)
    {
        ipHeader = 0;
        headerLength = 0;
        if (p.Length < 40)
            return false;
        int version = p[0] >> 4;
        if (version == 4)
        {
            if (p[0] != 0x45 || p[9] != ProtoTcp || (BinaryPrimitives.ReadUInt16BigEndian(p[6..]) & 0x3FFF) != 0
                || BinaryPrimitives.ReadUInt16BigEndian(p[2..]) != p.Length)
                return false;
            ipHeader = 20;
        }
        else if (version == 6)
        {
            if (p.Length < 60 || p[6] != ProtoTcp || BinaryPrimitives.ReadUInt16BigEndian(p[4..]) != p.Length - 40)
                return false;
            ipHeader = 40;
        }
        else
        {
            return false;
        }
        int tcpHeader = (p[ipHeader + 12] >> 4) * 4;
        headerLength = ipHeader + tcpHeader;
        if (tcpHeader < 20 || headerLength >= p.Length)
            return false;
        byte flags = p[ipHeader + 13];
        if ((flags & ~TcpPsh) != TcpAck || p[ipHeader + 18] != 0 || p[ipHeader + 19] != 0)
            return false;
        return ChecksumValid(p, ipHeader);
    }

    private static bool ChecksumValid(ReadOnlySpan<byte> p, int ipHeader)
    {
        var tcp = p[ipHeader..];
        ulong sum = InternetChecksum.PseudoHeader(p, ProtoTcp, tcp.Length);
        return InternetChecksum.Fold(InternetChecksum.Add(sum, tcp)) == 0xFFFF;
    }
}
