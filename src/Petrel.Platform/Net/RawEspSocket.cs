using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Net;

/// <summary>
/// A raw IP socket for protocol 50: plain ESP without UDP encapsulation (RFC 4303 over IP). The
/// host kernel here has no ESP of its own, so every ESP packet addressed to us arrives on it.
/// IPv4 raw sockets deliver the IP header too, which <see cref="Receive"/> strips; IPv6 ones
/// deliver the payload only. Needs CAP_NET_RAW.
/// </summary>
public sealed unsafe class RawEspSocket : IDisposable
{
    public const int EspProtocol = 50;

    private readonly Socket _socket;
    private readonly int _fd;
    private volatile bool _closed;

    public RawEspSocket(AddressFamily family, int bufferBytes = 4 << 20)
    {
        // .NET's Socket constructor only maps the protocol numbers it knows, so the descriptor
        // comes from socket(2) and is then wrapped.
        int domain = family == AddressFamily.InterNetwork ? LibC.AF_INET : LibC.AF_INET6;
        int fd = LibC.Socket(domain, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, EspProtocol);
        if (fd < 0)
            throw new SocketException(Marshal.GetLastPInvokeError());
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            _socket.ReceiveBufferSize = bufferBytes;
            _socket.SendBufferSize = bufferBytes;
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _fd = (int)_socket.Handle;
        Family = family;
    }

    public AddressFamily Family { get; }

    /// <summary>
    /// Receives one ESP packet into buffer and returns the offset and length of the ESP part (from
    /// the SPI on). Length 0 when nothing arrived within timeoutMs, -1 once closed.
    /// </summary>
    public int Receive(Span<byte> buffer, int timeoutMs, out int espOffset)
    {
        espOffset = 0;
        while (!_closed)
        {
            nint n;
            fixed (byte* p = buffer)
                n = LibC.Recv(_fd, p, (nuint)buffer.Length, LibC.MSG_DONTWAIT);
            if (n >= 0)
            {
                if (Family == AddressFamily.InterNetworkV6)
                    return (int)n;
                // IPv4 raw sockets include the header: skip IHL × 4 bytes (RFC 791 §3.1).
                if (n < 20)
                    continue;
                int ihl = (buffer[0] & 0x0F) * 4;
                if (ihl < 20 || ihl > n)
                    continue;
                espOffset = ihl;
                return (int)n - ihl;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                continue;
            if (errno != LibC.EAGAIN)
                return _closed ? -1 : 0;
            LibC.PollFd pfd = new() { Fd = _fd, Events = LibC.POLLIN };
            if (LibC.Poll(&pfd, 1, timeoutMs) == 0)
                return 0;
        }
        return -1;
    }

    /// <summary>Sends one ESP packet; the kernel adds the IP header (protocol 50). Never throws.</summary>
    public bool Send(ReadOnlySpan<byte> esp, SocketAddress destination)
    {
        if (_closed)
            return false;
        try
        {
            return _socket.SendTo(esp, SocketFlags.None, destination) == esp.Length;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>A raw socket destination: the address with port 0.</summary>
    public static SocketAddress Destination(IPAddress address) => new IPEndPoint(address, 0).Serialize();

    public void Dispose()
    {
        _closed = true;
        _socket.Dispose();
    }
}
