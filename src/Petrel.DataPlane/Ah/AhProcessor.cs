using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Ah;

/// <summary>
/// AH (RFC 4302) in tunnel and transport mode for IPv4 and IPv6, in place in a caller-owned
/// buffer. Unlike ESP, AH authenticates the outer IP header too, so both directions work on whole
/// IP packets: outbound builds (tunnel) or rewrites (transport) the IP header and inserts AH;
/// inbound verifies the ICV over the received packet and strips AH. Expected failures are a
/// <see cref="DropReason"/>; nothing allocates or throws per packet.
/// </summary>
internal static class AhProcessor
{
    /// <summary>Next Header, Payload Len, Reserved, SPI, Sequence Number (RFC 4302 §2).</summary>
    public const int FixedLength = 12;

    /// <summary>The IP header and extension headers in front of AH that ICV computation copies aside.</summary>
    private const int MaxHeaderBeforeAh = 256;

    private const byte DefaultTtl = 64;
    private static int s_ipv4Identification;

    /// <summary>
    /// AH header length with the ICV padded to 32 bits for IPv4 and 64 bits for IPv6 (RFC 4302 §2.6).
    /// </summary>
    public static int HeaderLength(int icvLength, bool ipv6)
    {
        int align = ipv6 ? 8 : 4;
        return (FixedLength + icvLength + align - 1) / align * align;
    }

    /// <summary>
    /// Protects the inner packet at buffer[innerOffset..innerOffset+innerLength] (an IPv4/IPv6
    /// packet from the tunnel device). On success the outer IP packet, AH included, is
    /// buffer[packetOffset..packetOffset+packetLength].
    /// </summary>
    public static DropReason Seal(EspSa sa, Span<byte> buffer, int innerOffset, int innerLength, out int packetOffset, out int packetLength)
    {
        packetOffset = 0;
        packetLength = 0;
        if (innerLength < 20)
            return DropReason.Malformed;
        bool outer6 = sa.Peer.Remote.AddressFamily == AddressFamily.InterNetworkV6;
        int ahLength = HeaderLength(sa.IcvLength, outer6);
        var inner = buffer.Slice(innerOffset, innerLength);
        int innerVersion = inner[0] >> 4;
        int start, ahOffset, length;
        byte next;

        if (sa.Mode == IpsecMode.Tunnel)
        {
            // RFC 4301 §5.1.2: a new outer header between the SA's endpoints.
            int header = outer6 ? 40 : 20;
            start = innerOffset - ahLength - header;
            length = header + ahLength + innerLength;
            if (start < 0 || length - (outer6 ? 40 : 0) > 65535)
                return DropReason.TooBig;
            var outer = buffer.Slice(start, header);
            byte tos = innerVersion == 4 ? inner[1] : (byte)(((inner[0] & 0x0F) << 4) | (inner[1] >> 4));
            if (outer6)
            {
                outer[0] = (byte)(0x60 | (tos >> 4));
                outer[1] = (byte)(tos << 4);
                outer[2] = 0;
                outer[3] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(outer[4..], (ushort)(length - 40));
                outer[6] = AhHeaderChain.ProtocolAh;
                outer[7] = DefaultTtl;
                if (!sa.Peer.Local.Address.TryWriteBytes(outer.Slice(8, 16), out _) ||
                    !sa.Peer.Remote.Address.TryWriteBytes(outer.Slice(24, 16), out _))
                    return DropReason.Malformed;
            }
            else
            {
                outer[0] = 0x45;
                outer[1] = tos;
                BinaryPrimitives.WriteUInt16BigEndian(outer[2..], (ushort)length);
                BinaryPrimitives.WriteUInt16BigEndian(outer[4..], NextIdentification());
                // DF is copied from an IPv4 inner header (RFC 4301 §8.1, "copy" default).
                outer[6] = innerVersion == 4 ? (byte)(inner[6] & 0x40) : (byte)0;
                outer[7] = 0;
                outer[8] = DefaultTtl;
                outer[9] = AhHeaderChain.ProtocolAh;
                outer[10] = 0;
                outer[11] = 0;
                if (!sa.Peer.Local.Address.TryWriteBytes(outer.Slice(12, 4), out _) ||
                    !sa.Peer.Remote.Address.TryWriteBytes(outer.Slice(16, 4), out _))
                    return DropReason.Malformed;
            }
            ahOffset = header;
            next = innerVersion == 4 ? EspProcessor.NextHeaderIpv4 : EspProcessor.NextHeaderIpv6;
        }
        else
        {
            // RFC 4302 §3.1.1: transport mode inserts AH after the IP header (IPv6: after a
            // hop-by-hop options header, which must come first, RFC 8200 §4.1).
            if ((innerVersion == 6) != outer6)
                return DropReason.PolicyMismatch;
            int header, field;
            if (innerVersion == 4)
            {
                header = (inner[0] & 0x0F) * 4;
                field = 9;
                if (header < 20 || header > innerLength)
                    return DropReason.Malformed;
            }
            else
            {
                if (innerLength < 40)
                    return DropReason.Malformed;
                header = 40;
                field = 6;
                if (inner[6] == AhHeaderChain.HopByHop)
                {
                    if (innerLength < 48)
                        return DropReason.Malformed;
                    field = 40;
                    header = 40 + (inner[41] + 1) * 8;
                    if (header > innerLength)
                        return DropReason.Malformed;
                }
            }
            start = innerOffset - ahLength;
            length = innerLength + ahLength;
            if (start < 0 || length - (outer6 ? 40 : 0) > 65535)
                return DropReason.TooBig;
            inner[..header].CopyTo(buffer.Slice(start, header));
            var moved = buffer.Slice(start, header);
            next = moved[field];
            moved[field] = AhHeaderChain.ProtocolAh;
            if (outer6)
                BinaryPrimitives.WriteUInt16BigEndian(moved[4..], (ushort)(length - 40));
            else
                BinaryPrimitives.WriteUInt16BigEndian(moved[2..], (ushort)length);
            ahOffset = header;
        }

        var packet = buffer.Slice(start, length);
        var ah = packet.Slice(ahOffset, ahLength);
        ah[0] = next;
        ah[1] = (byte)(ahLength / 4 - 2);   // RFC 4302 §2.2: length in 32-bit words minus 2
        ah[2] = 0;
        ah[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(ah[4..], sa.Spi);
        ah[FixedLength..].Clear();          // ICV and its padding (zero, RFC 4302 §2.6)

        lock (sa.Gate)
        {
            if (sa.Disposed)
                return DropReason.SaRemoved;
            if (!sa.TryNextSequence(out ulong seq))
                return DropReason.SequenceOverflow;
            // Only the low 32 bits travel; with ESN the high half is implicit (RFC 4302 §2.5.1).
            BinaryPrimitives.WriteUInt32BigEndian(ah[8..], (uint)seq);
            Span<byte> icv = stackalloc byte[EspProcessor.MaxIcvLength];
            // RFC 4543 §4: an AES-GMAC ICV field starts with the IV, which must never repeat under one key;
            // the 64-bit sequence number is unique per SA.
            if (sa.Integrity is IIvIntegrityContext)
                BinaryPrimitives.WriteUInt64BigEndian(icv, seq);
            if (!ComputeIcv(sa, buffer, start, length, ahOffset, ahLength, seq, icv[..sa.IcvLength]))
                return DropReason.TooBig;
            icv[..sa.IcvLength].CopyTo(ah[FixedLength..]);
            sa.CountPacket(innerLength);
        }

        if (!outer6)
        {
            int ihl = (packet[0] & 0x0F) * 4;
            packet[10] = 0;
            packet[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(packet[10..], AhHeaderChain.Ipv4Checksum(packet[..ihl]));
        }
        packetOffset = start;
        packetLength = length;
        return DropReason.None;
    }

    /// <summary>
    /// Verifies and strips AH from the IP packet buffer[offset..offset+length], whose AH header
    /// <see cref="AhHeaderChain.TryLocate"/> found at ahOffset. With ESN the buffer needs 4 spare
    /// bytes after the packet (the high sequence bits are appended there for the ICV). On success
    /// the inner packet (tunnel) or the restored original packet (transport) is
    /// buffer[innerOffset..innerOffset+innerLength], and nextHeader is what AH protected.
    /// </summary>
    public static DropReason Open(EspSa sa, Span<byte> buffer, int offset, int length, int ahOffset, int nextFieldOffset,
        out int innerOffset, out int innerLength, out byte nextHeader)
    {
        innerOffset = 0;
        innerLength = 0;
        nextHeader = 0;
        var packet = buffer.Slice(offset, length);
        bool ipv6 = packet[0] >> 4 == 6;
        if ((ipv6 ? BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + 40 : BinaryPrimitives.ReadUInt16BigEndian(packet[2..])) != length)
            return DropReason.Malformed;
        int ahLength = (packet[ahOffset + 1] + 2) * 4;
        if (ahLength != HeaderLength(sa.IcvLength, ipv6))
            return DropReason.Malformed;
        if (ahOffset + ahLength > length)
            return DropReason.Truncated;
        if (ahOffset > MaxHeaderBeforeAh)
            return DropReason.Malformed;
        uint wireSeq = BinaryPrimitives.ReadUInt32BigEndian(packet[(ahOffset + 8)..]);

        lock (sa.Gate)
        {
            if (sa.Disposed)
                return DropReason.SaRemoved;
            var replay = sa.Replay!;
            // RFC 4302 §3.4.3: the cheap duplicate check comes before the ICV.
            if (!replay.Check(wireSeq, out ulong seq))
            {
                sa.CountReplayDrop();
                return DropReason.Replay;
            }
            Span<byte> received = stackalloc byte[EspProcessor.MaxIcvLength];
            Span<byte> computed = stackalloc byte[EspProcessor.MaxIcvLength];
            packet.Slice(ahOffset + FixedLength, sa.IcvLength).CopyTo(received);
            if (sa.Integrity is IIvIntegrityContext withIv)
                received[..withIv.IvLength].CopyTo(computed); // the sender's IV goes into the GMAC nonce
            if (!ComputeIcv(sa, buffer, offset, length, ahOffset, ahLength, seq, computed[..sa.IcvLength]))
                return DropReason.TooBig;
            if (!CryptographicOperations.FixedTimeEquals(received[..sa.IcvLength], computed[..sa.IcvLength]))
            {
                sa.CountIntegrityFailure();
                return DropReason.IntegrityFailure;
            }
            // RFC 4302 §3.4.3: the window moves only for authenticated packets.
            if (!replay.Update(seq))
            {
                sa.CountReplayDrop();
                return DropReason.Replay;
            }
            nextHeader = packet[ahOffset];
            if (nextHeader == EspProcessor.NextHeaderNone)
                return DropReason.Dummy;
            sa.CountPacket(length - ahOffset - ahLength);
        }

        if (sa.Mode == IpsecMode.Tunnel)
        {
            innerOffset = offset + ahOffset + ahLength;
            innerLength = length - ahOffset - ahLength;
            return DropReason.None;
        }

        // Transport: the header in front of AH gets AH's Next Header and the shorter length,
        // then slides up over AH so the original packet is contiguous again.
        packet[nextFieldOffset] = nextHeader;
        if (ipv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(length - ahLength - 40));
        }
        else
        {
            int ihl = (packet[0] & 0x0F) * 4;
            BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)(length - ahLength));
            packet[10] = 0;
            packet[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(packet[10..], AhHeaderChain.Ipv4Checksum(packet[..ihl]));
        }
        packet[..ahOffset].CopyTo(packet[ahLength..]);
        innerOffset = offset + ahLength;
        innerLength = length - ahLength;
        return DropReason.None;
    }

    /// <summary>
    /// RFC 4302 §3.3.3: the ICV covers the IP header with mutable fields zeroed, the AH header
    /// with the ICV (and its padding) zeroed, and the payload; with ESN the high 32 sequence
    /// bits follow the packet (§2.5.1, Appendix B). Mutated bytes are restored afterwards.
    /// </summary>
    private static bool ComputeIcv(EspSa sa, Span<byte> buffer, int start, int length, int ahOffset, int ahLength, ulong seq, Span<byte> icv)
    {
        if (ahOffset > MaxHeaderBeforeAh)
            return false;
        var packet = buffer.Slice(start, length);
        Span<byte> savedHeader = stackalloc byte[MaxHeaderBeforeAh];
        packet[..ahOffset].CopyTo(savedHeader);
        AhHeaderChain.ZeroMutable(packet[..ahOffset]);
        packet.Slice(ahOffset + FixedLength, ahLength - FixedLength).Clear();
        int macLength = length;
        Span<byte> savedTail = stackalloc byte[4];
        if (sa.Esn)
        {
            if (start + length + 4 > buffer.Length)
            {
                savedHeader[..ahOffset].CopyTo(packet);
                return false;
            }
            var tail = buffer.Slice(start + length, 4);
            tail.CopyTo(savedTail);
            BinaryPrimitives.WriteUInt32BigEndian(tail, (uint)(seq >> 32));
            macLength += 4;
        }
        sa.Integrity!.Compute(buffer.Slice(start, macLength), icv);
        if (sa.Esn)
            savedTail.CopyTo(buffer.Slice(start + length, 4));
        savedHeader[..ahOffset].CopyTo(packet);
        return true;
    }

    private static ushort NextIdentification()
    {
        // The Identification field is immutable (RFC 4302 §3.3.3.1.1.1) and Linux fills in a
        // zero one itself on header-included raw sends, so it is chosen here and never zero.
        while (true)
        {
            ushort id = (ushort)Interlocked.Increment(ref s_ipv4Identification);
            if (id != 0)
                return id;
        }
    }
}
