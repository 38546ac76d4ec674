using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Net;

/// <summary>
/// A raw IP socket for one IPsec protocol: 50 (ESP without UDP encapsulation, RFC 4303) or 51
/// (AH, RFC 4302). The host kernel here has no IPsec of its own, so every such packet addressed
/// to us arrives on it. .NET's Socket constructor refuses these protocol numbers, so the
/// descriptor comes from socket(2) and is wrapped in a <see cref="SafeSocketHandle"/>.
/// <list type="bullet">
/// <item>ESP: the kernel builds the outer header; <see cref="ReceivePayload"/> returns the ESP part
/// (IPv4 raw sockets deliver the IP header, which is skipped; IPv6 ones deliver the payload only).</item>
/// <item>AH authenticates the outer header, so the data plane builds it and sends it whole
/// (IP_HDRINCL / IPV6_HDRINCL). <see cref="ReceivePacket"/> returns whole IP packets; for IPv6,
/// where the kernel hands over only what follows the header, the fixed header is rebuilt from the
/// source address and IPV6_PKTINFO (its mutable fields are zero in the ICV anyway). Extension
/// headers in front of AH are consumed by the kernel and cannot be rebuilt, so such packets fail
/// the ICV check.</item>
/// </list>
/// The reader threads use <see cref="ReceiveBatch"/> (recvmmsg, many packets per call) and the
/// offloaded send path <see cref="SendBatch"/> (sendmmsg).
/// Needs CAP_NET_RAW (and CAP_NET_ADMIN for a socket mark).
/// </summary>
public sealed unsafe class RawIpSocket : IDisposable
{
    public const int EspProtocol = 50;
    public const int AhProtocol = 51;
    private const int Ipv6Header = 40;

    private readonly Socket _socket;
    private readonly int _fd;
    private volatile bool _closed;

    public RawIpSocket(AddressFamily family, int protocol, uint mark = 0, int bufferBytes = 4 << 20)
    {
        if (protocol != EspProtocol && protocol != AhProtocol)
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "raw IPsec sockets are for protocol 50 or 51");
        int domain = family == AddressFamily.InterNetwork ? LibC.AF_INET : LibC.AF_INET6;
        int fd = LibC.Socket(domain, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0)
            throw new SocketException(Marshal.GetLastPInvokeError());
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            _socket.ReceiveBufferSize = bufferBytes;
            _socket.SendBufferSize = bufferBytes;
            SocketIo.SetMark(_socket, mark);
            if (protocol == AhProtocol)
            {
                if (family == AddressFamily.InterNetwork)
                {
                    SocketIo.SetInt(_socket, LibC.IPPROTO_IP, LibC.IP_HDRINCL, 1);
                }
                else
                {
                    SocketIo.SetInt(_socket, LibC.IPPROTO_IPV6, LibC.IPV6_HDRINCL, 1);
                    SocketIo.SetInt(_socket, LibC.IPPROTO_IPV6, LibC.IPV6_RECVPKTINFO, 1);
                }
            }
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _fd = (int)_socket.Handle;
        Family = family;
        Protocol = protocol;
    }

    public AddressFamily Family { get; }
    public int Protocol { get; }

    /// <summary>
    /// Receives one packet and returns the offset and length of the protocol payload (for ESP:
    /// from the SPI on). Length 0 when nothing arrived within timeoutMs, -1 once closed.
    /// </summary>
    public int ReceivePayload(Span<byte> buffer, int timeoutMs, out int payloadOffset)
    {
        payloadOffset = 0;
        while (true)
        {
            int n = ReceiveRaw(buffer, timeoutMs, null, null);
            if (n <= 0)
                return n;
            if (Family == AddressFamily.InterNetworkV6)
                return n;
            // IPv4 raw sockets include the header: skip IHL × 4 bytes (RFC 791 §3.1).
            if (n < 20)
                continue;
            int ihl = (buffer[0] & 0x0F) * 4;
            if (ihl < 20 || ihl > n)
                continue;
            payloadOffset = ihl;
            return n - ihl;
        }
    }

    /// <summary>
    /// Receives one whole IP packet into buffer[0..length] (IPv6: header rebuilt in front of the
    /// payload, see the class comment). 0 when nothing arrived within timeoutMs, -1 once closed.
    /// </summary>
    public int ReceivePacket(Span<byte> buffer, int timeoutMs)
    {
        if (Family == AddressFamily.InterNetwork)
        {
            while (true)
            {
                int n = ReceiveRaw(buffer, timeoutMs, null, null);
                if (n <= 0 || n >= 20)
                    return n;
            }
        }
        if (buffer.Length <= Ipv6Header)
            return -1;
        Span<byte> source = stackalloc byte[16];
        Span<byte> destination = stackalloc byte[16];
        int length = ReceiveRaw(buffer[Ipv6Header..], timeoutMs, source, destination);
        if (length <= 0)
            return length;
        var header = buffer[..Ipv6Header];
        header.Clear();
        header[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)length);
        header[6] = (byte)Protocol;
        header[7] = 64;                    // Hop Limit: mutable, outside the ICV (RFC 4302 §3.3.3.1.2)
        source.CopyTo(header[8..]);
        destination.CopyTo(header[24..]);
        return Ipv6Header + length;
    }

    /// <summary>recvmsg; with source/destination given (IPv6) also the sender and our address from IPV6_PKTINFO.</summary>
    private int ReceiveRaw(Span<byte> buffer, int timeoutMs, Span<byte> source, Span<byte> destination)
    {
        byte* name = stackalloc byte[28];
        byte* control = stackalloc byte[64];
        while (!_closed)
        {
            nint n;
            LibC.MsgHdr msg;
            fixed (byte* p = buffer)
            {
                LibC.IoVec iov = new() { Base = p, Length = (nuint)buffer.Length };
                msg = new LibC.MsgHdr
                {
                    Name = name,
                    NameLength = 28,
                    Iov = &iov,
                    IovLength = 1,
                    Control = control,
                    ControlLength = 64,
                };
                n = LibC.RecvMsg(_fd, &msg, LibC.MSG_DONTWAIT);
            }
            if (n >= 0)
            {
                if ((msg.Flags & LibC.MSG_TRUNC) != 0)
                    continue;              // larger than the buffer: no valid IPsec packet is
                if (source.Length == 16)
                {
                    // struct sockaddr_in6: family, port, flowinfo, then the address at offset 8.
                    new ReadOnlySpan<byte>(name + 8, 16).CopyTo(source);
                    if (!FindPktInfo(&msg, destination))
                        continue;          // without our address the header cannot be rebuilt
                }
                return (int)n;
            }
            var next = SocketIo.AfterFailedReceive(_fd, timeoutMs, _closed);
            if (next == SocketIo.Next.Timeout)
                return 0;
            if (next == SocketIo.Next.Closed)
                return -1;
        }
        return -1;
    }

    private static bool FindPktInfo(LibC.MsgHdr* msg, Span<byte> destination)
    {
        byte* p = (byte*)msg->Control;
        nuint remaining = msg->ControlLength;
        int header = sizeof(LibC.CmsgHdr);
        while (remaining >= (nuint)header)
        {
            var cmsg = (LibC.CmsgHdr*)p;
            if (cmsg->Length < (nuint)header || cmsg->Length > remaining)
                return false;
            if (cmsg->Level == LibC.IPPROTO_IPV6 && cmsg->Type == LibC.IPV6_PKTINFO)
            {
                // struct in6_pktinfo { in6_addr addr; unsigned ifindex; }
                new ReadOnlySpan<byte>(p + header, 16).CopyTo(destination);
                return true;
            }
            nuint step = (cmsg->Length + 7) & ~(nuint)7;
            if (step >= remaining)
                return false;
            p += step;
            remaining -= step;
        }
        return false;
    }

    /// <summary>recvmmsg calls that returned packets, and the packets they returned (the reader thread's counters).</summary>
    public long BatchReceiveCalls => Volatile.Read(ref _receiveCalls);
    public long BatchReceivedPackets => Volatile.Read(ref _receivedPackets);

    /// <summary>sendmmsg calls that sent packets, and the packets they sent.</summary>
    public long BatchSendCalls => Volatile.Read(ref _sendCalls);
    public long BatchSentPackets => Volatile.Read(ref _sentPackets);

    private long _receiveCalls;
    private long _receivedPackets;
    private long _sendCalls;
    private long _sentPackets;

    /// <summary>
    /// Receives up to <see cref="RawReceiveBatch.Capacity"/> packets with one recvmmsg(2) (after
    /// waiting up to timeoutMs for the first) and leaves them in batch: for ESP the protocol payload
    /// (as <see cref="ReceivePayload"/>), for AH the whole IP packet (as <see cref="ReceivePacket"/>,
    /// IPv6 header rebuilt in the slot's packet area). Returns the number of packets, 0 when none
    /// arrived in time, -1 once closed. Truncated or malformed messages are skipped.
    /// </summary>
    public int ReceiveBatch(RawReceiveBatch batch, int timeoutMs)
    {
        bool ipv6Ah = Protocol == AhProtocol && Family == AddressFamily.InterNetworkV6;
        int skip = ipv6Ah ? Ipv6Header : 0;
        while (!_closed)
        {
            batch.Prepare(skip);
            int n = LibC.RecvMMsg(_fd, batch.Headers, (uint)batch.Capacity, LibC.MSG_DONTWAIT, null);
            if (n > 0)
            {
                _receiveCalls++;
                Collect(batch, n, ipv6Ah);
                _receivedPackets += batch.Count;
                if (batch.Count > 0)
                    return batch.Count;
                continue;
            }
            var next = SocketIo.AfterFailedReceive(_fd, timeoutMs, _closed);
            if (next == SocketIo.Next.Timeout)
                return 0;
            if (next == SocketIo.Next.Closed)
                return -1;
        }
        return -1;
    }

    private void Collect(RawReceiveBatch batch, int received, bool ipv6Ah)
    {
        var buffer = batch.Buffer;
        for (int i = 0; i < received; i++)
        {
            var message = &batch.Headers[i];
            int length = (int)message->Length;
            if ((message->Header.Flags & LibC.MSG_TRUNC) != 0)
                continue;                  // larger than a slot: no valid IPsec packet is
            int start = batch.PacketStart(i);
            if (Family == AddressFamily.InterNetwork)
            {
                if (length < 20)
                    continue;
                if (Protocol == AhProtocol)
                {
                    batch.Keep(start, length);
                    continue;
                }
                // IPv4 raw sockets include the header: skip IHL × 4 bytes (RFC 791 §3.1).
                int ihl = (buffer[start] & 0x0F) * 4;
                if (ihl < 20 || ihl > length)
                    continue;
                batch.Keep(start + ihl, length - ihl);
                continue;
            }
            if (!ipv6Ah)
            {
                batch.Keep(start, length);
                continue;
            }
            // IPv6 AH: the fixed header comes back from the sender's address and IPV6_PKTINFO.
            var header = buffer.AsSpan(start, Ipv6Header);
            if (!FindPktInfo(&message->Header, header.Slice(24, 16)))
                continue;
            new ReadOnlySpan<byte>(batch.Name(i) + 8, 16).CopyTo(header.Slice(8, 16));
            header[0] = 0x60;
            header[1] = 0;
            header[2] = 0;
            header[3] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)length);
            header[6] = (byte)Protocol;
            header[7] = 64;                // Hop Limit: mutable, outside the ICV (RFC 4302 §3.3.3.1.2)
            batch.Keep(start, Ipv6Header + length);
        }
    }

    /// <summary>
    /// Sends count packets packed back to back in packed (lengths[i] bytes each) to one destination
    /// with as few sendmmsg(2) calls as the kernel allows (at most <see cref="MaxSendBatch"/>).
    /// Returns how many were sent; never throws.
    /// </summary>
    public int SendBatch(ReadOnlySpan<byte> packed, ReadOnlySpan<int> lengths, SocketAddress destination)
    {
        int count = Math.Min(lengths.Length, MaxSendBatch);
        if (_closed || count == 0)
            return 0;
        var iov = stackalloc LibC.IoVec[MaxSendBatch];
        var headers = stackalloc LibC.MMsgHdr[MaxSendBatch];
        int sent = 0;
        fixed (byte* data = packed)
        fixed (byte* name = destination.Buffer.Span)
        {
            int at = 0;
            for (int i = 0; i < count; i++)
            {
                if (lengths[i] < 0 || at + lengths[i] > packed.Length)
                {
                    count = i;
                    break;
                }
                iov[i] = new LibC.IoVec { Base = data + at, Length = (nuint)lengths[i] };
                headers[i] = new LibC.MMsgHdr
                {
                    Header = new LibC.MsgHdr { Name = name, NameLength = (uint)destination.Size, Iov = iov + i, IovLength = 1 },
                };
                at += lengths[i];
            }
            int retries = 0;
            while (sent < count && !_closed)
            {
                int n = LibC.SendMMsg(_fd, headers + sent, (uint)(count - sent), 0);
                if (n > 0)
                {
                    _sendCalls++;
                    _sentPackets += n;
                    sent += n;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                if (errno != LibC.EAGAIN || ++retries > 3)
                    break;                 // e.g. ENETUNREACH: the rest is lost like any packet on the wire
                LibC.PollFd pfd = new() { Fd = _fd, Events = LibC.POLLOUT };
                LibC.Poll(&pfd, 1, 10);
            }
        }
        return sent;
    }

    /// <summary>Messages per sendmmsg(2) call (UIO_MAXIOV allows 1024; a TSO super-segment is at most 64).</summary>
    public const int MaxSendBatch = 64;

    /// <summary>Sends one packet: the ESP payload (the kernel adds the header) or, for AH, the whole IP packet. Never throws.</summary>
    public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination) =>
        SocketIo.TrySendTo(_socket, packet, destination, _closed);

    /// <summary>A raw socket destination: the address with port 0.</summary>
    public static SocketAddress Destination(IPAddress address) => new IPEndPoint(address, 0).Serialize();

    public void Dispose()
    {
        _closed = true;
        _socket.Dispose();
    }
}
