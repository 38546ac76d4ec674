using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
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
/// Routes are reference-counted so two policies sharing a prefix do not remove each other's.
/// Known gap: a remote selector covering the peer's own address (0.0.0.0/0) would also capture
/// the outer ESP/IKE packets; such routes need an exception for the peer first.
/// </summary>
public sealed class RouteManager(string device, ILogger<RouteManager>? logger = null) : IRouteController
{
    private readonly ILogger _log = logger ?? (ILogger)NullLogger.Instance;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, List<Route>> _byReqId = [];
    private readonly Dictionary<Route, int> _refCount = [];

    private readonly record struct Route(string Prefix, IPAddress? Source)
    {
        public override string ToString() => Source is null ? Prefix : $"{Prefix} src {Source}";
    }

    public string Device { get; } = device;

    public void PolicyInstalled(PolicySpec policy)
    {
        var routes = new List<Route>();
        foreach (var remote in policy.RemoteTs)
        {
            var source = FindLocalSource(policy.LocalTs, remote.Family);
            foreach (var prefix in ToPrefixes(remote))
                routes.Add(new Route(prefix, source));
        }
        lock (_lock)
        {
            RemoveLocked(policy.ReqId);
            foreach (var r in routes)
            {
                _refCount.TryGetValue(r, out int n);
                if (n == 0)
                {
                    if (r.Source is null)
                        IpCommand.Run("route", "replace", r.Prefix, "dev", Device);
                    else
                        IpCommand.Run("route", "replace", r.Prefix, "dev", Device, "src", r.Source.ToString());
                    _log.LogInformation("route {Route} via {Device}", r, Device);
                }
                _refCount[r] = n + 1;
            }
            _byReqId[policy.ReqId] = routes;
        }
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
            int n = _refCount.GetValueOrDefault(r) - 1;
            if (n > 0)
            {
                _refCount[r] = n;
                continue;
            }
            _refCount.Remove(r);
            var (code, error) = IpCommand.TryRun("route", "del", r.Prefix, "dev", Device);
            if (code != 0)
                _log.LogWarning("removing route {Route}: {Error}", r.Prefix, error.Trim());
        }
    }

    /// <summary>One of the host's unicast addresses inside a local selector, if it owns any.</summary>
    internal static IPAddress? FindLocalSource(IReadOnlyList<TrafficSelector> local, AddressFamily family)
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var ua in nic.GetIPProperties().UnicastAddresses)
            {
                var a = ua.Address;
                if (a.AddressFamily != family || a.IsIPv6LinkLocal)
                    continue;
                foreach (var ts in local)
                {
                    if (ts.Family == family && InRange(a, ts.Start, ts.End))
                        return a;
                }
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
}
