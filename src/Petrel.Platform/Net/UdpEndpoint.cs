using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Net;

/// <summary>
/// One UDP socket (port 500 or the NAT-T port 4500) bound to an address or to any. Receiving
/// uses recvmsg with IP_PKTINFO / IPV6_PKTINFO so a socket bound to any still learns which of
/// our addresses a datagram was sent to (IKE needs it for NAT detection and SA addresses); the
/// addresses are returned as numbers, so the receive path allocates nothing. Sending uses .NET's
/// allocation-free SocketAddress overload.
/// </summary>
public sealed unsafe class UdpEndpoint : IDisposable
{
    private readonly Socket _socket;
    private readonly int _fd;
    private volatile bool _closed;

    public UdpEndpoint(IPEndPoint bind, int receiveBufferBytes = 4 << 20, uint mark = 0)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bind.AddressFamily == AddressFamily.InterNetworkV6)
                _socket.DualMode = false; // separate IPv4 socket; keeps PKTINFO handling simple
            // No SO_REUSEADDR: a second daemon on the same port must fail loudly, not share the traffic.
            _socket.ReceiveBufferSize = receiveBufferBytes;
            _socket.SendBufferSize = receiveBufferBytes;
            SocketIo.SetMark(_socket, mark);
            _socket.Bind(bind);
            _fd = (int)_socket.Handle;
            // Ask for the datagram's destination address with every receive.
            Span<byte> on = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(on, 1);
            if (bind.AddressFamily == AddressFamily.InterNetwork)
                _socket.SetRawSocketOption(LibC.IPPROTO_IP, LibC.IP_PKTINFO, on);
            else
                _socket.SetRawSocketOption(LibC.IPPROTO_IPV6, LibC.IPV6_RECVPKTINFO, on);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }
    public int Port => LocalEndPoint.Port;
    public AddressFamily AddressFamily => LocalEndPoint.AddressFamily;

    /// <summary>
    /// Receives one datagram. Returns its length, 0 if nothing arrived within timeoutMs, -1 once
    /// closed. source and destination (our address) are filled in as <see cref="UdpAddress"/>.
    /// </summary>
    public int Receive(Span<byte> buffer, int timeoutMs, out UdpAddress source, out UdpAddress destination) =>
        Receive(buffer, timeoutMs, out source, out destination, out _);

    /// <summary>
    /// Receives one datagram or, after <see cref="EnableGro"/>, a batch of equal-sized datagrams
    /// from one sender that the kernel coalesced: segmentSize is then the size of each (the last
    /// may be shorter), else 0 (one datagram).
    /// </summary>
    public int Receive(Span<byte> buffer, int timeoutMs, out UdpAddress source, out UdpAddress destination, out int segmentSize)
    {
        source = default;
        destination = default;
        segmentSize = 0;
        byte* name = stackalloc byte[28];
        byte* control = stackalloc byte[128];
        while (!_closed)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                LibC.IoVec iov = new() { Base = p, Length = (nuint)buffer.Length };
                LibC.MsgHdr msg = new()
                {
                    Name = name,
                    NameLength = 28,
                    Iov = &iov,
                    IovLength = 1,
                    Control = control,
                    ControlLength = 128,
                };
                n = LibC.RecvMsg(_fd, &msg, LibC.MSG_DONTWAIT);
                if (n >= 0)
                {
                    if ((msg.Flags & LibC.MSG_TRUNC) != 0)
                        continue; // larger than our buffer: no valid ESP or IKE packet is
                    source = ParseSockaddr(name);
                    destination = ParsePktInfo(&msg, source.Family, LocalEndPoint, out segmentSize, out _);
                    return (int)n;
                }
            }
            var next = SocketIo.AfterFailedReceive(_fd, timeoutMs, _closed);
            if (next == SocketIo.Next.Timeout)
                return 0;
            if (next == SocketIo.Next.Closed)
                return -1;
        }
        return -1;
    }

    /// <summary>
    /// Receives up to <see cref="RawReceiveBatch.Capacity"/> messages with one recvmmsg(2) (after
    /// waiting up to timeoutMs for the first): each a datagram or, after <see cref="EnableGro"/>, a
    /// GRO batch of equal-sized datagrams, with its addresses (<see cref="RawReceiveBatch.Source"/>,
    /// <see cref="RawReceiveBatch.Destination"/>, <see cref="RawReceiveBatch.SegmentSize"/>). Returns
    /// the number of messages, 0 when none arrived in time, -1 once closed. Truncated messages are skipped.
    /// </summary>
    public int ReceiveBatch(RawReceiveBatch batch, int timeoutMs)
    {
        while (!_closed)
        {
            batch.Prepare(0);
            int n = LibC.RecvMMsg(_fd, batch.Headers, (uint)batch.Capacity, LibC.MSG_DONTWAIT, null);
            if (n > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    var message = &batch.Headers[i];
                    if ((message->Header.Flags & LibC.MSG_TRUNC) != 0)
                        continue; // larger than a slot: no valid ESP or IKE packet is
                    var source = ParseSockaddr(batch.Name(i));
                    var destination = ParsePktInfo(&message->Header, source.Family, LocalEndPoint, out int segmentSize, out uint drops);
                    if (drops != 0)
                        batch.SocketDrops = drops;
                    batch.Keep(batch.PacketStart(i), (int)message->Length, segmentSize, source, destination);
                }
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

    /// <summary>
    /// SO_RXQ_OVFL: every receive reports how many datagrams the socket dropped so far because its
    /// receive buffer was full (<see cref="RawReceiveBatch.SocketDrops"/>). False if refused.
    /// </summary>
    public bool EnableDropCount()
    {
        int on = 1;
        return LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RXQ_OVFL, &on, sizeof(int)) == 0;
    }

    /// <summary>Sends a datagram; false (never an exception) when the OS refuses it.</summary>
    public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination) =>
        SocketIo.TrySendTo(_socket, datagram, destination, _closed);

    /// <summary>
    /// UDP_GRO (Linux ≥ 5.0): the kernel may hand over several datagrams of one sender in one
    /// receive (see the segmentSize of <see cref="Receive(Span{byte}, int, out UdpAddress, out UdpAddress, out int)"/>).
    /// False if the kernel does not support it.
    /// </summary>
    public bool EnableGro()
    {
        int on = 1;
        return LibC.SetSockOpt(_fd, LibC.SOL_UDP, LibC.UDP_GRO, &on, sizeof(int)) == 0;
    }

    /// <summary>
    /// Sends datagrams packed back to back, each segmentSize bytes except a shorter last one, in
    /// one sendmsg with UDP_SEGMENT (UDP GSO, Linux ≥ 4.18): the stack builds the datagrams, so
    /// the per-packet syscall and routing cost is paid once per batch. False when refused.
    /// </summary>
    public bool SendSegments(ReadOnlySpan<byte> packed, int segmentSize, SocketAddress destination)
    {
        if (_closed)
            return false;
        var name = destination.Buffer.Span[..destination.Size];
        byte* control = stackalloc byte[32];
        new Span<byte>(control, 32).Clear();
        var cmsg = (LibC.CmsgHdr*)control;
        int header = sizeof(LibC.CmsgHdr);
        cmsg->Length = (nuint)(header + sizeof(ushort));
        cmsg->Level = LibC.SOL_UDP;
        cmsg->Type = LibC.UDP_SEGMENT;
        *(ushort*)(control + header) = (ushort)segmentSize;
        fixed (byte* p = packed)
        fixed (byte* n = name)
        {
            LibC.IoVec iov = new() { Base = p, Length = (nuint)packed.Length };
            LibC.MsgHdr msg = new()
            {
                Name = n,
                NameLength = (uint)name.Length,
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = (nuint)((header + sizeof(ushort) + 7) & ~7),
            };
            for (int attempt = 0; attempt < 3; attempt++)
            {
                nint sent = LibC.SendMsg(_fd, &msg, 0);
                if (sent >= 0)
                    return sent == packed.Length;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                if (errno != LibC.EAGAIN)
                    return false;
                // The socket may be non-blocking: wait briefly for room in the send buffer.
                LibC.PollFd pfd = new() { Fd = _fd, Events = LibC.POLLOUT };
                LibC.Poll(&pfd, 1, 100);
            }
            return false;
        }
    }

    /// <summary>Most messages in one <see cref="SendGroups"/> call.</summary>
    public const int MaxSendGroups = 64;

    /// <summary>
    /// Sends groups of datagrams packed back to back in buffer to one destination with one
    /// sendmmsg(2): each group is one message, and a group of two or more datagrams carries its
    /// UDP_SEGMENT size (UDP GSO), so the kernel cuts it into datagrams of that size. At most
    /// <see cref="MaxSendGroups"/> groups. Returns how many groups were sent; a group the kernel
    /// refuses is skipped and the rest are still tried. Never throws.
    /// </summary>
    public int SendGroups(byte[] buffer, ReadOnlySpan<UdpSendGroup> groups, SocketAddress destination)
    {
        if (_closed || groups.Length == 0)
            return 0;
        int count = Math.Min(groups.Length, MaxSendGroups);
        const int ControlStride = 24; // cmsghdr (16) + u16, aligned to 8
        var name = destination.Buffer.Span[..destination.Size];
        LibC.MMsgHdr* messages = stackalloc LibC.MMsgHdr[count];
        LibC.IoVec* iov = stackalloc LibC.IoVec[count];
        byte* control = stackalloc byte[count * ControlStride];
        int sentGroups = 0;
        fixed (byte* b = buffer)
        fixed (byte* n = name)
        {
            for (int i = 0; i < count; i++)
            {
                var g = groups[i];
                if ((uint)g.Offset > (uint)buffer.Length || (uint)g.Length > (uint)(buffer.Length - g.Offset))
                    return i;
                iov[i] = new LibC.IoVec { Base = b + g.Offset, Length = (nuint)g.Length };
                messages[i] = new LibC.MMsgHdr
                {
                    Header = new LibC.MsgHdr { Name = n, NameLength = (uint)name.Length, Iov = iov + i, IovLength = 1 },
                };
                if (g.Segments > 1)
                {
                    byte* c = control + i * ControlStride;
                    var cmsg = (LibC.CmsgHdr*)c;
                    cmsg->Length = (nuint)(sizeof(LibC.CmsgHdr) + sizeof(ushort));
                    cmsg->Level = LibC.SOL_UDP;
                    cmsg->Type = LibC.UDP_SEGMENT;
                    *(ushort*)(c + sizeof(LibC.CmsgHdr)) = (ushort)g.SegmentSize;
                    messages[i].Header.Control = c;
                    messages[i].Header.ControlLength = ControlStride;
                }
            }
            int next = 0;
            int waits = 0;
            while (next < count)
            {
                int sent = LibC.SendMMsg(_fd, messages + next, (uint)(count - next), 0);
                if (sent > 0)
                {
                    sentGroups += sent;
                    next += sent;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                if (errno == LibC.EAGAIN && waits++ < 3)
                {
                    // The socket may be non-blocking: wait briefly for room in the send buffer.
                    LibC.PollFd pfd = new() { Fd = _fd, Events = LibC.POLLOUT };
                    LibC.Poll(&pfd, 1, 100);
                    continue;
                }
                // This message was refused (e.g. EMSGSIZE, ENETUNREACH): skip it, try the rest.
                next++;
            }
        }
        return sentGroups;
    }

    private static UdpAddress ParseSockaddr(byte* sa)
    {
        ushort family = *(ushort*)sa;
        ushort port = BinaryPrimitives.ReverseEndianness(*(ushort*)(sa + 2));
        if (family == LibC.AF_INET)
            return new UdpAddress(AddressFamily.InterNetwork, BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(sa + 4, 4)), port);
        return new UdpAddress(AddressFamily.InterNetworkV6, BinaryPrimitives.ReadUInt128BigEndian(new ReadOnlySpan<byte>(sa + 8, 16)), port);
    }

    private static UdpAddress ParsePktInfo(LibC.MsgHdr* msg, AddressFamily family, IPEndPoint local, out int segmentSize, out uint drops)
    {
        segmentSize = 0;
        drops = 0;
        UdpAddress? found = null;
        byte* p = (byte*)msg->Control;
        nuint remaining = msg->ControlLength;
        int header = sizeof(LibC.CmsgHdr);
        while (remaining >= (nuint)header)
        {
            var cmsg = (LibC.CmsgHdr*)p;
            if (cmsg->Length < (nuint)header || cmsg->Length > remaining)
                break;
            byte* data = p + header;
            if (cmsg->Level == LibC.IPPROTO_IP && cmsg->Type == LibC.IP_PKTINFO)
            {
                // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }: addr is the header destination.
                found = new UdpAddress(AddressFamily.InterNetwork, BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(data + 8, 4)), (ushort)local.Port);
            }
            else if (cmsg->Level == LibC.IPPROTO_IPV6 && cmsg->Type == LibC.IPV6_PKTINFO)
            {
                // struct in6_pktinfo { in6_addr addr; unsigned ifindex; }
                found = new UdpAddress(AddressFamily.InterNetworkV6, BinaryPrimitives.ReadUInt128BigEndian(new ReadOnlySpan<byte>(data, 16)), (ushort)local.Port);
            }
            else if (cmsg->Level == LibC.SOL_UDP && cmsg->Type == LibC.UDP_GRO)
            {
                // udp_cmsg_recv: an int with the size of each coalesced datagram.
                segmentSize = *(int*)data;
            }
            else if (cmsg->Level == LibC.SOL_SOCKET && cmsg->Type == LibC.SO_RXQ_OVFL)
            {
                // sock_recv_drops: a u32, the socket's sk_drops so far.
                drops = *(uint*)data;
            }
            nuint step = (cmsg->Length + 7) & ~(nuint)7;
            if (step >= remaining)
                break;
            p += step;
            remaining -= step;
        }
        return found ?? UdpAddress.From(local);
    }

    public void Dispose()
    {
        _closed = true;
        _socket.Dispose();
    }
}
