using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Petrel.Platform.Native;
using static Petrel.Platform.Net.RtNetlinkProtocol;

namespace Petrel.Platform.Net;

/// <summary>
/// A NETLINK_ROUTE socket for the few route and rule operations <see cref="Routing.RouteManager"/>
/// needs, each one request and its answer on the calling thread (microseconds, where spawning
/// ip(8) took ~20 ms). Requests carry the same header fields and flags as iproute2 6.1 sends for
/// the equivalent command, so the kernel treats them identically: `route replace` is
/// CREATE|REPLACE, `rule add` is CREATE|EXCL, everything asks for an ACK and a negative errno in
/// the ACK becomes a <see cref="NetlinkException"/> worded like ip(8)'s "RTNETLINK answers: …".
/// The socket lives in the network namespace of the thread that opened it, and device names are
/// resolved through the same socket (RTM_GETLINK), so all lookups agree with that namespace.
/// Thread-safe (one request at a time).
/// </summary>
internal sealed unsafe class RtNetlink : IDisposable
{
    private const int ReplyTimeoutMs = 5000;

    private readonly SafeFileHandle _socket;
    private readonly Lock _lock = new();
    private readonly byte[] _request = new byte[512];
    // A dump datagram is at most 32 KB (the kernel caps its dump skb there); one size fits all replies.
    private readonly byte[] _reply = new byte[64 * 1024];
    private uint _sequence = (uint)Environment.TickCount;

    private RtNetlink(SafeFileHandle socket) => _socket = socket;

    /// <summary>Opens a socket in the calling thread's network namespace (no privilege needed to open; changes need CAP_NET_ADMIN).</summary>
    public static RtNetlink Open()
    {
        int fd = LibC.Socket(AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
            throw new IOException($"socket(AF_NETLINK, NETLINK_ROUTE): {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        return new RtNetlink(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>`ip route replace PREFIX [via GW] dev DEV [src SRC] [table T]` (table 0 = main).</summary>
    public void ReplaceRoute(IPNetwork destination, string device, IPAddress? gateway, IPAddress? source, int table)
    {
        string what = Describe("route replace", destination, gateway, device, source, table);
        lock (_lock)
        {
            int index = LinkIndexLocked(device, what);
            var w = new NetlinkMessageWriter(_request, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, ++_sequence);
            var rt = w.Reserve(RouteHeaderLength);
            WriteRouteHeader(rt, destination, table);
            rt[5] = RTPROT_BOOT;
            // iproute2: IPv6 routes are universe scope; IPv4 routes without a gateway are link scope.
            rt[6] = destination.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 || gateway is not null ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
            rt[7] = RTN_UNICAST;
            WriteTable(ref w, table);
            w.Address(RTA_DST, destination.BaseAddress);
            if (gateway is not null)
                w.Address(RTA_GATEWAY, gateway);
            w.UInt32(RTA_OIF, (uint)index);
            if (source is not null)
                w.Address(RTA_PREFSRC, source);
            TransactLocked(w.Finish(), what, dump: false, null);
        }
    }

    /// <summary>`ip route del PREFIX dev DEV [table T]`; a missing route is ESRCH ("No such process").</summary>
    public void DeleteRoute(IPNetwork destination, string device, int table)
    {
        string what = Describe("route del", destination, null, device, null, table);
        lock (_lock)
        {
            int index = LinkIndexLocked(device, what);
            var w = new NetlinkMessageWriter(_request, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, ++_sequence);
            var rt = w.Reserve(RouteHeaderLength);
            WriteRouteHeader(rt, destination, table);
            // Protocol and type 0 match any; scope NOWHERE matches any scope (iproute2 does the same for del).
            rt[6] = RT_SCOPE_NOWHERE;
            WriteTable(ref w, table);
            w.Address(RTA_DST, destination.BaseAddress);
            w.UInt32(RTA_OIF, (uint)index);
            TransactLocked(w.Finish(), what, dump: false, null);
        }
    }

    /// <summary>
    /// Whether `ip route show exact PREFIX [table T]` prints anything: a route (of any type) for exactly
    /// this prefix in the table. The kernel cannot filter a dump by destination, so the family's
    /// dump is filtered here, the way ip(8) filters it; cached clones are skipped like ip does.
    /// </summary>
    public bool HasRoute(IPNetwork destination, int table)
    {
        string what = Describe("route show exact", destination, null, null, null, table);
        int wanted = table == 0 ? RT_TABLE_MAIN : table;
        var family = destination.BaseAddress.AddressFamily;
        byte[] want = destination.BaseAddress.GetAddressBytes();
        bool found = false;
        lock (_lock)
        {
            var w = new NetlinkMessageWriter(_request, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, ++_sequence);
            w.Reserve(RouteHeaderLength)[0] = FamilyByte(family);
            TransactLocked(w.Finish(), what, dump: true, (type, payload) =>
            {
                if (found || type != RTM_NEWROUTE || payload.Length < RouteHeaderLength)
                    return;
                if (payload[1] != destination.PrefixLength || (MemoryMarshal.Read<uint>(payload[8..]) & RTM_F_CLONED) != 0)
                    return;
                var attributes = payload[RouteHeaderLength..];
                int routeTable = (int?)NetlinkAttributes.UInt32(attributes, RTA_TABLE) ?? payload[4];
                if (routeTable != wanted)
                    return;
                // A /0 route has no RTA_DST.
                found = NetlinkAttributes.TryFind(attributes, RTA_DST, out var dst)
                    ? dst.SequenceEqual(want)
                    : destination.PrefixLength == 0;
            });
        }
        return found;
    }

    /// <summary>`ip route get ADDRESS`: the route the kernel would use now; unreachable and the like throw.</summary>
    public RouteLookup GetRoute(IPAddress destination)
    {
        string what = "route get " + destination;
        lock (_lock)
        {
            var w = new NetlinkMessageWriter(_request, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, ++_sequence);
            var rt = w.Reserve(RouteHeaderLength);
            rt[0] = FamilyByte(destination.AddressFamily);
            rt[1] = (byte)(destination.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
            w.Address(RTA_DST, destination);
            int oif = 0;
            IPAddress? gateway = null, source = null;
            bool answered = false;
            TransactLocked(w.Finish(), what, dump: false, (type, payload) =>
            {
                if (answered || type != RTM_NEWROUTE || payload.Length < RouteHeaderLength)
                    return;
                answered = true;
                var attributes = payload[RouteHeaderLength..];
                oif = (int)(NetlinkAttributes.UInt32(attributes, RTA_OIF) ?? 0);
                gateway = NetlinkAttributes.Address(attributes, RTA_GATEWAY);
                source = NetlinkAttributes.Address(attributes, RTA_PREFSRC);
            });
            if (!answered || oif == 0)
                throw new NetlinkException(what, 0, "RTNETLINK answers: no route with an output device");
            return new RouteLookup(LinkNameLocked(oif, what), oif, gateway, source);
        }
    }

    /// <summary>`ip rule add …` (CREATE|EXCL like iproute2: an identical rule is EEXIST).</summary>
    public void AddRule(FibRule rule) => ModifyRule(rule, add: true);

    /// <summary>`ip rule del …`; a missing rule is ENOENT ("No such file or directory").</summary>
    public void DeleteRule(FibRule rule) => ModifyRule(rule, add: false);

    private void ModifyRule(FibRule rule, bool add)
    {
        string what = rule.Command(add ? "add" : "del");
        lock (_lock)
        {
            var w = new NetlinkMessageWriter(_request, add ? RTM_NEWRULE : RTM_DELRULE,
                add ? (ushort)(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL) : (ushort)(NLM_F_REQUEST | NLM_F_ACK), ++_sequence);
            var frh = w.Reserve(RuleHeaderLength);
            frh[0] = FamilyByte(rule.Family);
            frh[4] = rule.Table is > 0 and < 256 ? (byte)rule.Table : RT_TABLE_UNSPEC;
            // del leaves the action unspecified (matches any), as iproute2 does.
            frh[7] = add ? FR_ACT_TO_TBL : (byte)0;
            MemoryMarshal.Write(frh[8..], rule.Invert ? FIB_RULE_INVERT : 0u);
            if (rule.Table >= 256)
                w.UInt32(FRA_TABLE, (uint)rule.Table);
            w.UInt32(FRA_FWMARK, rule.FirewallMark);
            w.UInt32(FRA_PRIORITY, (uint)rule.Priority);
            TransactLocked(w.Finish(), what, dump: false, null);
        }
    }

    /// <summary>
    /// The host's addresses of one family in the kernel's order (`ip -o addr show`: by interface,
    /// then as added), from an RTM_GETADDR dump. IFA_LOCAL is the host's own address where it
    /// differs from IFA_ADDRESS (the peer's, on point-to-point links), as getifaddrs(3) reports it.
    /// </summary>
    public List<IPAddress> Addresses(AddressFamily family)
    {
        var found = new List<IPAddress>();
        lock (_lock)
        {
            var w = new NetlinkMessageWriter(_request, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, ++_sequence);
            w.Reserve(AddressHeaderLength)[0] = FamilyByte(family);
            TransactLocked(w.Finish(), "addr show", dump: true, (type, payload) =>
            {
                if (type != RTM_NEWADDR || payload.Length < AddressHeaderLength || payload[0] != FamilyByte(family))
                    return;
                var attributes = payload[AddressHeaderLength..];
                var address = NetlinkAttributes.Address(attributes, IFA_LOCAL) ?? NetlinkAttributes.Address(attributes, IFA_ADDRESS);
                if (address is not null)
                    found.Add(address);
            });
        }
        return found;
    }

    /// <summary>The index of a device (RTM_GETLINK by IFLA_IFNAME); a missing one throws like ip's "Cannot find device".</summary>
    public int LinkIndex(string device)
    {
        lock (_lock)
            return LinkIndexLocked(device, "link show " + device);
    }

    private int LinkIndexLocked(string device, string what)
    {
        var w = new NetlinkMessageWriter(_request, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, ++_sequence);
        w.Reserve(LinkHeaderLength);
        w.String(IFLA_IFNAME, device);
        int index = 0;
        try
        {
            TransactLocked(w.Finish(), what, dump: false, (type, payload) =>
            {
                if (type == RTM_NEWLINK && payload.Length >= LinkHeaderLength)
                    index = MemoryMarshal.Read<int>(payload[4..]);
            });
        }
        catch (NetlinkException e) when (e.Errno == 19) // ENODEV
        {
            throw new NetlinkException(what, e.Errno, $"Cannot find device \"{device}\"");
        }
        return index;
    }

    private string LinkNameLocked(int index, string what)
    {
        var w = new NetlinkMessageWriter(_request, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, ++_sequence);
        MemoryMarshal.Write(w.Reserve(LinkHeaderLength)[4..], index);
        string? name = null;
        TransactLocked(w.Finish(), what, dump: false, (type, payload) =>
        {
            if (type == RTM_NEWLINK && payload.Length >= LinkHeaderLength)
                name = NetlinkAttributes.String(payload[LinkHeaderLength..], IFLA_IFNAME);
        });
        return name ?? index.ToString(CultureInfo.InvariantCulture);
    }

    private delegate void ReplyHandler(ushort type, ReadOnlySpan<byte> payload);

    /// <summary>
    /// Sends the request in <see cref="_request"/> and reads replies with its sequence number until
    /// the ACK (NLMSG_ERROR with error 0) or, for a dump, NLMSG_DONE. Replies to older sequence
    /// numbers (a request that timed out) are skipped.
    /// </summary>
    private void TransactLocked(int length, string what, bool dump, ReplyHandler? onReply)
    {
        uint sequence = MemoryMarshal.Read<uint>(_request.AsSpan(8));
        int fd = (int)_socket.DangerousGetHandle();
        fixed (byte* p = _request)
        {
            nint sent;
            do sent = LibC.Send(fd, p, (nuint)length, 0);
            while (sent < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
            if (sent < 0)
                throw Failure(what, Marshal.GetLastPInvokeError());
        }
        while (true)
        {
            int received = ReceiveLocked(fd, what);
            var datagram = _reply.AsSpan(0, received);
            while (datagram.Length >= HeaderLength)
            {
                int messageLength = (int)MemoryMarshal.Read<uint>(datagram);
                if (messageLength < HeaderLength || messageLength > datagram.Length)
                    break;
                ushort type = MemoryMarshal.Read<ushort>(datagram[4..]);
                uint messageSequence = MemoryMarshal.Read<uint>(datagram[8..]);
                var payload = datagram[HeaderLength..messageLength];
                datagram = datagram[Math.Min(Align(messageLength), datagram.Length)..];
                if (messageSequence != sequence)
                    continue;
                if (type == NLMSG_ERROR)
                {
                    // struct nlmsgerr: int error (negative errno, 0 = ACK), then the request's header.
                    int error = payload.Length >= 4 ? MemoryMarshal.Read<int>(payload) : -5;
                    if (error != 0)
                        throw Failure(what, -error);
                    return;
                }
                if (type == NLMSG_DONE)
                {
                    int error = payload.Length >= 4 ? MemoryMarshal.Read<int>(payload) : 0;
                    if (error < 0)
                        throw Failure(what, -error);
                    if (dump)
                        return;
                    continue;
                }
                onReply?.Invoke(type, payload);
            }
        }
    }

    private int ReceiveLocked(int fd, string what)
    {
        while (true)
        {
            var poll = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
            int ready = LibC.Poll(&poll, 1, ReplyTimeoutMs);
            if (ready < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR)
                continue;
            if (ready < 0)
                throw Failure(what, Marshal.GetLastPInvokeError());
            if (ready == 0)
                throw new NetlinkException(what, 110, $"no answer from the kernel within {ReplyTimeoutMs} ms");
            nint n;
            fixed (byte* p = _reply)
                n = LibC.Recv(fd, p, (nuint)_reply.Length, 0);
            if (n < 0 && Marshal.GetLastPInvokeError() is LibC.EINTR or LibC.EAGAIN)
                continue;
            if (n < 0)
                throw Failure(what, Marshal.GetLastPInvokeError());
            return (int)n;
        }
    }

    private static NetlinkException Failure(string what, int errno) =>
        new(what, errno, "RTNETLINK answers: " + LibC.ErrorText(errno));

    private static void WriteRouteHeader(Span<byte> rt, IPNetwork destination, int table)
    {
        rt[0] = FamilyByte(destination.BaseAddress.AddressFamily);
        rt[1] = (byte)destination.PrefixLength;
        rt[4] = table == 0 ? RT_TABLE_MAIN : table < 256 ? (byte)table : RT_TABLE_UNSPEC;
    }

    /// <summary>rtmsg's table is a byte; iproute2 passes larger ids in RTA_TABLE.</summary>
    private static void WriteTable(ref NetlinkMessageWriter w, int table)
    {
        if (table >= 256)
            w.UInt32(RTA_TABLE, (uint)table);
    }

    private static byte FamilyByte(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? (byte)LibC.AF_INET6 : (byte)LibC.AF_INET;

    private static string Describe(string verb, IPNetwork destination, IPAddress? gateway, string? device, IPAddress? source, int table)
    {
        var s = $"{verb} {destination}";
        if (gateway is not null) s += $" via {gateway}";
        if (device is not null) s += $" dev {device}";
        if (source is not null) s += $" src {source}";
        if (table != 0) s += " table " + table.ToString(CultureInfo.InvariantCulture);
        return s;
    }

    /// <summary>Whether the socket is closed (after <see cref="Dispose"/>).</summary>
    internal bool IsClosed => _socket.IsClosed;

    public void Dispose() => _socket.Dispose();
}
