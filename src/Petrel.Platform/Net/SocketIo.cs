using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Net;

/// <summary>
/// What the UDP and raw IP sockets share: the non-blocking receive loop's handling of errno and
/// poll(2), a send that reports failure instead of throwing, and the socket mark that lets the
/// daemon's own packets bypass the routes into its TUN device.
/// </summary>
internal static unsafe class SocketIo
{
    /// <summary>What a receive loop does after a failed non-blocking receive.</summary>
    public enum Next
    {
        /// <summary>Try the receive again (interrupted, or data became readable).</summary>
        Retry,
        /// <summary>Nothing arrived within the timeout.</summary>
        Timeout,
        /// <summary>The socket is closed or broken: stop.</summary>
        Closed,
    }

    /// <summary>
    /// Call right after a receive returned -1: EINTR retries at once, EAGAIN waits for POLLIN up
    /// to timeoutMs, anything else means the socket is gone (Closed when closing, else Timeout so
    /// a transient error does not end the reader).
    /// </summary>
    public static Next AfterFailedReceive(int fd, int timeoutMs, bool closed)
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno == LibC.EINTR)
            return Next.Retry;
        if (errno != LibC.EAGAIN)
            return closed ? Next.Closed : Next.Timeout;
        LibC.PollFd pfd = new() { Fd = fd, Events = LibC.POLLIN };
        return LibC.Poll(&pfd, 1, timeoutMs) == 0 ? Next.Timeout : Next.Retry;
    }

    /// <summary>Sends one datagram; false (never an exception) when the OS refuses it or the socket is closed.</summary>
    public static bool TrySendTo(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress destination, bool closed)
    {
        if (closed)
            return false;
        try
        {
            return socket.SendTo(datagram, SocketFlags.None, destination) == datagram.Length;
        }
        catch (SocketException)
        {
            // e.g. ENETUNREACH or a full buffer: the packet is lost like any on the wire.
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// SO_MARK (socket(7), needs CAP_NET_ADMIN): policy routing rules match it, so the daemon's
    /// IKE/ESP/AH packets to a transport-mode peer take the main table instead of the TUN route.
    /// </summary>
    public static void SetMark(Socket socket, uint mark)
    {
        if (mark == 0)
            return;
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, mark);
        socket.SetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_MARK, value);
    }

    public static void SetInt(Socket socket, int level, int option, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        socket.SetRawSocketOption(level, option, b);
    }
}
