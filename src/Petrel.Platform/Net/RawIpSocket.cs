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
