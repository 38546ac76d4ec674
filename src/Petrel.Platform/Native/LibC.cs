using System.Runtime.InteropServices;

namespace Petrel.Platform.Native;

/// <summary>The Linux system calls Petrel needs that .NET does not expose. Nothing else in Petrel calls libc.</summary>
internal static unsafe partial class LibC
{
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int O_RDONLY = 0;

    public const int EINTR = 4;
    public const int EAGAIN = 11;

    public const short POLLIN = 0x1;

    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_TRUNC = 0x20;

    public const int IPPROTO_IP = 0;
    public const int IPPROTO_IPV6 = 41;
    public const int IP_PKTINFO = 8;
    public const int IPV6_RECVPKTINFO = 49;
    public const int IPV6_PKTINFO = 50;

    public const int SOL_SOCKET = 1;
    public const int SO_MARK = 36;
    /// <summary>socket(7): every received message carries a cmsg with the socket's drop count so far (u32).</summary>
    public const int SO_RXQ_OVFL = 40;
    public const int IP_HDRINCL = 3;
    public const int IPV6_HDRINCL = 36;

    public const int AF_INET = 2;
    public const int AF_INET6 = 10;

    public const int CLONE_NEWNET = 0x40000000;

    /// <summary>_IOW('T', 202, int): attach to or create a TUN/TAP interface (linux/if_tun.h).</summary>
    public const uint TUNSETIFF = 0x400454ca;
    public const short IFF_TUN = 0x0001;
    public const short IFF_NO_PI = 0x1000;
    public const short IFF_VNET_HDR = 0x4000;

    /// <summary>_IOW('T', 208, unsigned int): which offloads the TUN reader accepts (TUN_F_*).</summary>
    public const uint TUNSETOFFLOAD = 0x400454d0;
    public const uint TUN_F_CSUM = 0x01;
    public const uint TUN_F_TSO4 = 0x02;
    public const uint TUN_F_TSO6 = 0x04;
    /// <summary>Linux ≥ 6.2: UDP segmentation offload (virtio GSO_UDP_L4) for IPv4 / IPv6.</summary>
    public const uint TUN_F_USO4 = 0x20;
    public const uint TUN_F_USO6 = 0x40;

    public const short POLLOUT = 0x4;
    public const int SOL_UDP = 17;
    /// <summary>linux/udp.h: sendmsg cmsg (u16 segment size) for UDP GSO; setsockopt to receive GRO batches.</summary>
    public const int UDP_SEGMENT = 103;
    public const int UDP_GRO = 104;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr (recvmmsg(2)/sendmmsg(2)): one message header and the byte count the kernel filled in.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>struct ifreq as TUNSETIFF reads it: a 16-byte name, then the flags, padded to 40 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct IfReq
    {
        [FieldOffset(0)] public fixed byte Name[16];
        [FieldOffset(16)] public short Flags;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    public static partial nint WriteV(int fd, IoVec* iov, int count);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    /// <summary>recvmmsg(2) without a timeout: up to count messages in one system call.</summary>
    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    /// <summary>sendmmsg(2): up to count messages in one system call; returns how many were sent.</summary>
    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    /// <summary>gettid(2) (glibc ≥ 2.30): the calling thread's id, which setpriority takes to set one thread's nice value.</summary>
    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    public const int PRIO_PROCESS = 0;

    /// <summary>setpriority(2): on Linux PRIO_PROCESS with a thread id sets that thread's nice value.</summary>
    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, uint who, int priority);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    public static partial int GetPriority(int which, uint who);

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
