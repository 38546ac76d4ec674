using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.Platform.Net;

namespace Petrel.Platform.Routing;

/// <summary>
/// Routes each protect policy's remote traffic selectors into the TUN device, with the source
/// address set to one of the host's addresses inside the local selectors, so that the host's own
/// traffic (e.g. from 10.1.0.1) enters the tunnel the way strongSwan's routes in table 220 do.
/// A /0 selector becomes two /1 routes so the existing default route stays untouched, and when a
/// remote selector covers the peer's own outer address a host route keeps the path the peer had
/// before (otherwise the ESP and IKE packets themselves would loop into the tunnel).
/// Routes are reference-counted by prefix so policies sharing one do not remove each other's.
/// </summary>
public sealed partial class RouteManager(string device, ILogger<RouteManager>? logger = null) : IRouteController, IDisposable
{
    private readonly ILogger _log = logger ?? (ILogger)NullLogger.Instance;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, List<Route>> _byReqId = [];
    private readonly Dictionary<string, int> _refCount = [];
    // Opened with the manager, i.e. in the network namespace of the thread that created the TUN device.
    private readonly RtNetlink _netlink = RtNetlink.Open();

    /// <summary>One kernel route: prefix → device, optionally via a gateway and with a preferred source.</summary>
    internal sealed record Route(string Prefix, string Device, IPAddress? Via, IPAddress? Source, int Table = 0)
    {
        /// <summary>Reference-count key: the prefix, and the table when not main.</summary>
        public string Key => Table == 0 ? Prefix : $"{Prefix} table {Table.ToString(CultureInfo.InvariantCulture)}";

        public string[] Arguments()
        {
            var args = new List<string> { Prefix };
            if (Via is not null)
                args.AddRange(["via", Via.ToString()]);
            args.AddRange(["dev", Device]);
            if (Source is not null)
                args.AddRange(["src", Source.ToString()]);
            if (Table != 0)
                args.AddRange(["table", Table.ToString(CultureInfo.InvariantCulture)]);
            return [.. args];
        }

        public IPNetwork Network => IPNetwork.Parse(Prefix);

        public override string ToString() => string.Join(' ', Arguments());
    }

    public string Device { get; } = device;

    public void PolicyInstalled(PolicySpec policy)
    {
        lock (_lock)
        {
            RemoveLocked(policy.ReqId);
            var routes = policy.Action == PolicyAction.Bypass ? BypassRoutes(policy)
                : policy.Mode == IpsecMode.Transport ? TransportRoutes(policy) ?? TunnelRoutes(policy)
                : TunnelRoutes(policy);
            InstallLocked(policy.ReqId, routes);
        }
    }

    private void InstallLocked(uint reqId, List<Route> routes)
    {
        foreach (var r in routes)
        {
            _refCount.TryGetValue(r.Key, out int n);
            if (n == 0)
            {
                if (r.Table != 0)
                    AcquireBypassRule(r);
                _netlink.ReplaceRoute(r.Network, r.Device, r.Via, r.Source, r.Table);
                _log.LogDebug("route {Route}", r); // strongSwan logs route installs at knl level 2 too
            }
            _refCount[r.Key] = n + 1;
        }
        _byReqId[reqId] = routes;
    }

    /// <summary>
    /// A bypass policy (swanctl mode = pass) keeps its remote prefixes on the path they have now,
    /// so that they stay out of the device even when a protect policy routes a wider prefix into
    /// it. Prefixes the table already has exactly (e.g. a connected subnet) are left alone; their
    /// own route already beats any wider tunnel route.
    /// </summary>
    private List<Route> BypassRoutes(PolicySpec policy)
    {
        var routes = new List<Route>();
        foreach (var remote in policy.RemoteTs)
        {
            foreach (var prefix in ToPrefixes(remote))
            {
                if (HasMainRoute(prefix))
                    continue;
                var first = IPAddress.Parse(prefix[..prefix.IndexOf('/')]);
                if (ResolveCurrentPath(first) is { } path)
                    routes.Add(path with { Prefix = prefix });
                else
                    _log.LogWarning("bypass policy reqid {ReqId}: no route outside {Device} for {Prefix}; its traffic follows the routing table", policy.ReqId, Device, prefix);
            }
        }
        return routes;
    }

    private List<Route> TunnelRoutes(PolicySpec policy)
    {
        var routes = new List<Route>();
        // The exception must be resolved before any tunnel route could capture the peer.
        if (policy.RemoteTs.Any(ts => ts.Family == policy.RemoteAddress.AddressFamily && InRange(policy.RemoteAddress, ts.Start, ts.End))
            && ResolveCurrentPath(policy.RemoteAddress) is { } exception)
        {
            routes.Add(exception);
        }
        foreach (var remote in policy.RemoteTs)
        {
            var source = FindLocalSource(policy.LocalTs, remote.Family);
            foreach (var prefix in ToPrefixes(remote))
            {
                foreach (var p in SplitDefault(prefix))
                    routes.Add(new Route(p, Device, null, source));
            }
        }
        return routes;
    }

    public void PolicyRemoved(PolicySpec policy)
    {
        lock (_lock)
            RemoveLocked(policy.ReqId);
    }

    private void RemoveLocked(uint reqId)
    {
        if (!_byReqId.Remove(reqId, out var routes))
            return;
        foreach (var r in routes)
        {
            int n = _refCount.GetValueOrDefault(r.Key) - 1;
            if (n > 0)
            {
                _refCount[r.Key] = n;
                continue;
            }
            _refCount.Remove(r.Key);
            try
            {
                _netlink.DeleteRoute(r.Network, r.Device, r.Table);
            }
            catch (NetlinkException e)
            {
                _log.LogWarning("removing route {Route}: {Error}", r.Key, e.Answer);
            }
            if (r.Table != 0)
                ReleaseBypassRule(r);
        }
    }

    /// <summary>"0.0.0.0/0" → "0.0.0.0/1", "128.0.0.0/1" (and "::/0" likewise): more specific than, not replacing, the default route.</summary>
    internal static IEnumerable<string> SplitDefault(string prefix) => prefix switch
    {
        "0.0.0.0/0" => ["0.0.0.0/1", "128.0.0.0/1"],
        "::/0" => ["::/1", "8000::/1"],
        _ => [prefix],
    };

    /// <summary>Whether the main table has a route for exactly this prefix (`ip route show exact`); a failed lookup counts as none.</summary>
    private bool HasMainRoute(string prefix)
    {
        try
        {
            return _netlink.HasRoute(IPNetwork.Parse(prefix), 0);
        }
        catch (NetlinkException e)
        {
            _log.LogDebug("{Request}: {Error}", e.Request, e.Answer);
            return false;
        }
    }

    /// <summary>The host route that keeps the peer on the path it uses now (`ip route get`), or null.</summary>
    private Route? ResolveCurrentPath(IPAddress peer)
    {
        RouteLookup found;
        try
        {
            found = _netlink.GetRoute(peer);
        }
        catch (NetlinkException e)
        {
            _log.LogDebug("{Request}: {Error}", e.Request, e.Answer);
            return null;
        }
        var route = FromLookup(peer, found);
        if (route.Device == Device)
            return null;
        return route;
    }

    /// <summary>The peer's host route on the path the kernel reported: via its gateway, on its device, no source.</summary>
    internal static Route FromLookup(IPAddress peer, RouteLookup found)
    {
        string host = peer.AddressFamily == AddressFamily.InterNetwork ? "/32" : "/128";
        return new Route(peer + host, found.Device, found.Gateway, null);
    }

    /// <summary>
    /// Parses `ip -o route get` ("198.18.0.2 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0 \ cache"). The
    /// daemon asks the kernel over netlink (<see cref="FromLookup"/>); this parser of ip's text is the
    /// reference RtNetlinkTests compares that answer with.
    /// </summary>
    internal static Route? ParseRouteGet(IPAddress peer, string output)
    {
        var tokens = output.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        IPAddress? via = null;
        string? dev = null;
        for (int i = 0; i + 1 < tokens.Length; i++)
        {
            if (tokens[i] == "via" && IPAddress.TryParse(tokens[i + 1], out var gw))
                via = gw;
            else if (tokens[i] == "dev")
                dev = tokens[i + 1];
        }
        if (dev is null)
            return null;
        string host = peer.AddressFamily == AddressFamily.InterNetwork ? "/32" : "/128";
        return new Route(peer + host, dev, via, null);
    }

    /// <summary>
    /// One of the host's unicast addresses inside a local selector, if it owns any. The addresses
    /// come from one netlink dump: .NET's NetworkInterface enumeration took ~3 ms per call on a
    /// host with a hundred addresses, for every CHILD_SA.
    /// </summary>
    private IPAddress? FindLocalSource(IReadOnlyList<TrafficSelector> local, AddressFamily family)
    {
        try
        {
            return PickLocalSource(local, family, _netlink.Addresses(family));
        }
        catch (NetlinkException e)
        {
            _log.LogWarning("{Request}: {Error}; routing without a source address", e.Request, e.Answer);
            return null;
        }
    }

    /// <summary>The first address (in the host's order) of the family inside a local selector; IPv6 link-local ones never.</summary>
    internal static IPAddress? PickLocalSource(IReadOnlyList<TrafficSelector> local, AddressFamily family, IEnumerable<IPAddress> addresses)
    {
        foreach (var a in addresses)
        {
            if (a.AddressFamily != family || a.IsIPv6LinkLocal)
                continue;
            foreach (var ts in local)
            {
                if (ts.Family == family && InRange(a, ts.Start, ts.End))
                    return a;
            }
        }
        return null;
    }

    private static bool InRange(IPAddress a, IPAddress start, IPAddress end)
    {
        var x = Number(a);
        return x >= Number(start) && x <= Number(end);
    }

    private static UInt128 Number(IPAddress a)
    {
        Span<byte> b = stackalloc byte[16];
        a.TryWriteBytes(b, out int n);
        return n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt128BigEndian(b);
    }

    /// <summary>Splits an address range into the fewest CIDR prefixes that cover it exactly.</summary>
    internal static List<string> ToPrefixes(TrafficSelector ts)
    {
        int bits = ts.Family == AddressFamily.InterNetwork ? 32 : 128;
        UInt128 start = Number(ts.Start), end = Number(ts.End);
        var result = new List<string>();
        while (true)
        {
            // Largest block aligned at start that does not run past end.
            int size = start == 0 ? bits : Math.Min(bits, (int)UInt128.TrailingZeroCount(start));
            while (size > 0 && (size >= 128 ? UInt128.MaxValue : (UInt128.One << size) - 1) > end - start)
                size--;
            result.Add($"{Format(start, ts.Family)}/{(bits - size).ToString(CultureInfo.InvariantCulture)}");
            UInt128 last = start + (size >= 128 ? UInt128.MaxValue : (UInt128.One << size) - 1);
            if (last >= end)
                break;
            start = last + 1;
        }
        return result;
    }

    private static string Format(UInt128 value, AddressFamily family)
    {
        Span<byte> b = stackalloc byte[16];
        if (family == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)value);
            return new IPAddress(b[..4]).ToString();
        }
        BinaryPrimitives.WriteUInt128BigEndian(b, value);
        return new IPAddress(b).ToString();
    }

    /// <summary>Closes the netlink socket; the routes themselves go with their policies (UserspaceKernel.Dispose) first.</summary>
    public void Dispose() => _netlink.Dispose();

    internal bool IsClosed => _netlink.IsClosed;
}
