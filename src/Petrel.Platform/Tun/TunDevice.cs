using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Native;
using Petrel.Platform.Net;

namespace Petrel.Platform.Tun;

/// <summary>
/// A Linux TUN device (IFF_TUN | IFF_NO_PI: each read or write is exactly one IP packet with no
/// extra header). Reads and writes go straight to the file descriptor without allocating; a
/// non-blocking descriptor plus poll lets the reader wake up to notice <see cref="Dispose"/>.
/// Opened with offload (IFF_VNET_HDR + TUNSETOFFLOAD csum/TSO4/TSO6), every read starts with a
/// <see cref="VirtioNetHeader"/> and may return a TCP super-segment of up to 64 KB with a partial
/// checksum; writes carry the header too (<see cref="WritePacket"/> adds an empty one,
/// <see cref="WriteGso"/> a GSO one), which is how wireguard-go cuts the per-packet cost of TUN.
/// </summary>
public sealed unsafe class TunDevice : IGsoTunnelDevice, IDisposable
{
    /// <summary>strongSwan's kernel-libipsec uses 1400 too: 1500 minus outer IPv6/UDP/ESP overhead with room to spare.</summary>
    public const int DefaultMtu = 1400;

    private int _fd;

    private TunDevice(int fd, string name, bool offload, bool udpGso)
    {
        _fd = fd;
        Name = name;
        Offload = offload;
        AcceptsUdpGso = udpGso;
    }

    public string Name { get; }

    /// <summary>Reads and writes carry a <see cref="VirtioNetHeader"/>; reads may be TSO super-segments.</summary>
    public bool Offload { get; }

    /// <summary>
    /// The device was opened with UDP segmentation offload (TUN_F_USO4/6, Linux ≥ 6.2): writes may be
    /// GSO_UDP_L4 packets (many UDP datagrams of one flow in one write), and reads may be too.
    /// </summary>
    public bool AcceptsUdpGso { get; }

    /// <summary>
    /// Linux's tun_set_iff() attaches to an existing TUN device of the name (a persistent one), but
    /// fails with EINVAL when the name belongs to another kind of device and EBUSY when another
    /// process holds the TUN device: say that, not just the errno text.
    /// </summary>
    private static string OpenFailure(string name, int errno)
    {
        const int EBUSY = 16, EINVAL = 22;
        string text = $"TUNSETIFF {name}: {LibC.ErrorText(errno)}";
        if (errno == EBUSY)
            return $"{text}: TUN device '{name}' exists and another process has it open";
        if (errno == EINVAL && Exists(name))
            return $"{text}: a network device named '{name}' exists and is not a TUN device; delete or rename it, or choose another name";
        return text;
    }

    private static bool Exists(string name)
    {
        // Asked over netlink from this thread, so in the namespace TUNSETIFF just looked in.
        try
        {
            using var netlink = RtNetlink.Open();
            netlink.LinkIndex(name);
            return true;
        }
        catch (Exception e) when (e is NetlinkException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates (or attaches to) a TUN interface. name may contain "%d" for the kernel to number
    /// it. Needs CAP_NET_ADMIN.
    /// </summary>
    public static TunDevice Open(string name, bool offload = false)
    {
        if (Encoding.ASCII.GetByteCount(name) >= 16)
            throw new ArgumentException($"TUN name '{name}' is longer than 15 characters", nameof(name));
        int fd = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0)
            throw new IOException($"open /dev/net/tun: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        bool udpGso = false;
        LibC.IfReq req = default;
        Encoding.ASCII.GetBytes(name, new Span<byte>(req.Name, 16));
        req.Flags = (short)(LibC.IFF_TUN | LibC.IFF_NO_PI | (offload ? LibC.IFF_VNET_HDR : 0));
        if (LibC.Ioctl(fd, LibC.TUNSETIFF, &req) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new IOException(OpenFailure(name, errno));
        }
        if (offload)
        {
            // The value is passed by value, not by pointer (drivers/net/tun.c: set_offload(tun, arg)).
            nuint features = LibC.TUN_F_CSUM | LibC.TUN_F_TSO4 | LibC.TUN_F_TSO6;
            // UDP GSO too where the kernel knows it (6.2+); an older one refuses the unknown bits with EINVAL.
            udpGso = LibC.Ioctl(fd, LibC.TUNSETOFFLOAD, (void*)(features | LibC.TUN_F_USO4 | LibC.TUN_F_USO6)) == 0;
            if (!udpGso && LibC.Ioctl(fd, LibC.TUNSETOFFLOAD, (void*)features) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                LibC.Close(fd);
                throw new IOException($"TUNSETOFFLOAD {name}: {LibC.ErrorText(errno)}");
            }
        }
        string actual = Encoding.ASCII.GetString(new ReadOnlySpan<byte>(req.Name, 16)).TrimEnd('\0');
        return new TunDevice(fd, actual, offload, udpGso);
    }

    /// <summary>Sets the MTU, adds the addresses (e.g. "10.1.0.1/24") and brings the link up.</summary>
    public void Configure(int mtu = DefaultMtu, params string[] addresses)
    {
        IpCommand.Run("link", "set", "dev", Name, "mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var a in addresses)
            IpCommand.Run("addr", "replace", a, "dev", Name);
        IpCommand.Run("link", "set", "dev", Name, "up");
    }

    /// <summary>Changes the MTU of the (already configured) device.</summary>
    public void SetMtu(int mtu) =>
        IpCommand.Run("link", "set", "dev", Name, "mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Reads one packet into buffer (with <see cref="Offload"/>: a <see cref="VirtioNetHeader"/>
    /// and then the packet). Returns the bytes read, 0 when nothing arrived within timeoutMs, or
    /// -1 once the device is closed or gone (<see cref="Lost"/>).
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        while (true)
        {
            int fd = Volatile.Read(ref _fd);
            if (fd < 0)
                return -1;
            nint n;
            fixed (byte* p = buffer)
                n = LibC.Read(fd, p, (nuint)buffer.Length);
            if (n >= 0)
                return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                continue;
            if (errno != LibC.EAGAIN)
                return Failed(errno);
            LibC.PollFd pfd = new() { Fd = fd, Events = LibC.POLLIN };
            int ready = LibC.Poll(&pfd, 1, timeoutMs);
            if (ready == 0)
                return 0;
        }
    }

    /// <summary>
    /// Reads one more packet if one is queued, without waiting: what a reader calls after
    /// <see cref="Read"/> to take a burst of packets before sending them in one batch. Returns the
    /// bytes read, 0 when the queue is empty, -1 once the device is closed or gone.
    /// </summary>
    public int ReadQueued(Span<byte> buffer)
    {
        while (true)
        {
            int fd = Volatile.Read(ref _fd);
            if (fd < 0)
                return -1;
            nint n;
            fixed (byte* p = buffer)
                n = LibC.Read(fd, p, (nuint)buffer.Length);
            if (n >= 0)
                return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EAGAIN)
                return 0;
            if (errno != LibC.EINTR)
                return Failed(errno);
        }
    }

    /// <summary>
    /// Why the device stopped working while still open, or null: reads fail with EBADFD once the
    /// interface is deleted (<c>ip link del</c>), and poll reports POLLERR at once, so a reader
    /// that retried would spin. Readers stop on -1 and report this.
    /// </summary>
    public string? Lost { get; private set; }

    /// <summary>A read failed other than EAGAIN/EINTR: -1, and <see cref="Lost"/> says why unless we closed the device ourselves.</summary>
    private int Failed(int errno)
    {
        if (Volatile.Read(ref _fd) >= 0)
            Lost ??= $"read: {LibC.ErrorText(errno)}";
        return -1;
    }

    /// <summary>Writes one IP packet into the host stack. False if the kernel refused it (never throws).</summary>
    public bool WritePacket(ReadOnlySpan<byte> packet)
    {
        int fd = Volatile.Read(ref _fd);
        if (fd < 0)
            return false;
        if (Offload)
        {
            // An all-zero header: no GSO, checksum to be verified by the stack as usual.
            byte* header = stackalloc byte[VirtioNetHeader.Length];
            new Span<byte>(header, VirtioNetHeader.Length).Clear();
            fixed (byte* p = packet)
            {
                LibC.IoVec* iov = stackalloc LibC.IoVec[2];
                iov[0] = new LibC.IoVec { Base = header, Length = VirtioNetHeader.Length };
                iov[1] = new LibC.IoVec { Base = p, Length = (nuint)packet.Length };
                return LibC.WriteV(fd, iov, 2) == VirtioNetHeader.Length + packet.Length;
            }
        }
        fixed (byte* p = packet)
            return LibC.Write(fd, p, (nuint)packet.Length) == packet.Length;
    }

    /// <summary>
    /// Writes one GSO packet: header, then the pieces of buffer in order, in one writev. Only on
    /// a device opened with offload.
    /// </summary>
    public bool WriteGso(in VirtioNetHeader header, byte[] buffer, ReadOnlySpan<PacketSlice> pieces)
    {
        int fd = Volatile.Read(ref _fd);
        if (fd < 0 || !Offload || pieces.Length > TcpCoalescer.MaxSegments)
            return false;
        byte* h = stackalloc byte[VirtioNetHeader.Length];
        header.Write(new Span<byte>(h, VirtioNetHeader.Length));
        LibC.IoVec* iov = stackalloc LibC.IoVec[TcpCoalescer.MaxSegments + 1];
        iov[0] = new LibC.IoVec { Base = h, Length = VirtioNetHeader.Length };
        long total = VirtioNetHeader.Length;
        fixed (byte* b = buffer)
        {
            for (int i = 0; i < pieces.Length; i++)
            {
                var piece = pieces[i];
                if ((uint)piece.Offset > (uint)buffer.Length || (uint)piece.Length > (uint)(buffer.Length - piece.Offset))
                    return false;
                iov[i + 1] = new LibC.IoVec { Base = b + piece.Offset, Length = (nuint)piece.Length };
                total += piece.Length;
            }
            return LibC.WriteV(fd, iov, pieces.Length + 1) == total;
        }
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            LibC.Close(fd);
    }
}
