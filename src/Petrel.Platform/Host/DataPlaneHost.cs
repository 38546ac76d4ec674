using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;
using Petrel.Platform.Routing;
using Petrel.Platform.Tun;

namespace Petrel.Platform.Host;

/// <summary>
/// Runs the userspace data plane on real devices: one thread reads the TUN device and feeds
/// <see cref="UserspaceKernel.ProcessOutbound"/> (with offload: bursts sealed into UDP GSO sends);
/// one thread per UDP socket reads datagrams with recvmmsg and demultiplexes them (RFC 3948): IKE
/// to <see cref="IkeDatagramHandler"/>, NAT keepalives ignored, ESP through the kernel's
/// <see cref="InboundBatch"/> (open, coalesce, write); one thread per
/// raw protocol 50 socket (plain ESP) and per raw protocol 51 socket (AH,
/// <see cref="UserspaceKernel.ProcessInboundAh"/>). Each thread owns its buffers,
/// so the steady state allocates nothing.
/// <code>
/// using var host = DataPlaneHost.Open(new DataPlaneOptions(), onIke, loggerFactory);
/// // host.Kernel is the IIpsecKernel for the IKE engine; its IIkeTransport calls host.Udp.SendIke.
/// host.Start();
/// </code>
/// </summary>
public sealed partial class DataPlaneHost : IDisposable
{
    private const int PollMs = 200;
    private const int MaxPacket = 65535;

    private readonly IkeDatagramHandler? _onIke;
    private readonly ILogger _log;
    private readonly List<Thread> _threads = [];
    private readonly List<(TunDevice Device, uint Id)> _interfaces = [];
    private RouteManager? _routes;
    private volatile bool _stopping;

    public DataPlaneHost(TunDevice tun, UdpTransport udp, UserspaceKernel kernel, IkeDatagramHandler? onIke, ILogger<DataPlaneHost>? logger = null)
    {
        Tun = tun;
        Udp = udp;
        Kernel = kernel;
        _onIke = onIke;
        _log = logger ?? (ILogger)NullLogger.Instance;
    }

    public TunDevice Tun { get; }

    /// <summary>Nice value every packet thread sets for itself when it starts (0: unchanged; <see cref="PacketPriority"/>).</summary>
    public int PacketNice { get; init; }

    /// <summary>Packet threads yield their CPU after each full burst (see DataPlaneHost.Offload.cs, YieldToConsumers).</summary>
    public bool YieldUnderLoad { get; init; } = true;

    private int _priorityRefused;

    /// <summary>
    /// A TUN device this host reads went away while running (deleted under the daemon): raised once, on
    /// the reader's thread, with a one-line reason. Nothing reaches the tunnels after that, so the daemon exits.
    /// </summary>
    public event Action<string>? DeviceLost;
    private int _deviceLost;
    public UdpTransport Udp { get; }
    public UserspaceKernel Kernel { get; }

    /// <summary>The route-based virtual tunnel interfaces, by name.</summary>
    public IReadOnlyList<string> InterfaceNames => [.. _interfaces.Select(i => i.Device.Name)];

    /// <summary>Opens the TUN device and sockets and builds the kernel on them (not started yet).</summary>
    public static DataPlaneHost Open(DataPlaneOptions options, IkeDatagramHandler? onIke, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        var tun = TunDevice.Open(options.TunName, options.Offload);
        UdpTransport? udp = null;
        RouteManager? routes = null;
        DataPlaneHost? host = null;
        try
        {
            tun.Configure(options.TunMtu, [.. options.TunAddresses]);
            udp = new UdpTransport(options.IkePort, options.NatTPort, options.BindAddresses, options.RawEsp, options.RawAh, options.SocketMark);
            routes = options.ManageRoutes
                ? new RouteManager(tun.Name, loggers.CreateLogger<RouteManager>()) { BypassMark = options.SocketMark, TransportTable = options.TransportRouteTable }
                : null;
            var kernel = new UserspaceKernel(udp, tun, routes, logger: loggers.CreateLogger<UserspaceKernel>())
            {
                PathMtu = options.PathMtu,
                ClampMss = options.ClampMss,
                PacketThreads = options.PacketThreads,
            };
            kernel.Statistics.TunUdpWrites = TunUdpPath(tun, kernel);
            host = new DataPlaneHost(tun, udp, kernel, onIke, loggers.CreateLogger<DataPlaneHost>()) { PacketNice = options.PacketNice, YieldUnderLoad = options.YieldUnderLoad };
            host._routes = routes;
            if (options.AutoTunMtu)
            {
                var log = host._log;
                kernel.TunnelMtuChanged += mtu =>
                {
                    tun.SetMtu(mtu);
                    log.LogInformation("{Device} MTU {Mtu}: the largest packet every outbound SA carries within path MTU {PathMtu}", tun.Name, mtu, kernel.PathMtu);
                };
            }
            foreach (var vi in options.VirtualInterfaces)
            {
                var device = TunDevice.Open(vi.Name);
                host._interfaces.Add((device, vi.Id));
                device.Configure(options.TunMtu);
                kernel.AddInterface(vi.Id, device);
                host._log.LogInformation("route-based interface {Name} for if_id {Id} (no routes installed: route into it yourself)", device.Name, vi.Id);
            }
            return host;
        }
        catch
        {
            if (host is not null)
            {
                foreach (var (device, _) in host._interfaces)
                    device.Dispose();
            }
            routes?.Dispose();
            udp?.Dispose();
            tun.Dispose();
            throw;
        }
    }

    /// <summary>How decrypted UDP will reach the device, as `petrel stats` and the start-up log say it.</summary>
    private static string TunUdpPath(TunDevice tun, UserspaceKernel kernel) =>
        !tun.Offload ? "single (no vnet headers)"
        : !tun.AcceptsUdpGso ? "single (the kernel refused TUN_F_USO4/USO6)"
        : kernel.TunUdpGsoSegments < 2 ? "single (coalescing off)"
        : $"gso (GSO_UDP_L4, up to {kernel.TunUdpGsoSegments} datagrams per write)";

    public void Start()
    {
        _log.LogDebug("{Device}: {Offload}; decrypted UDP written {UdpPath}", Tun.Name,
            Tun.Offload ? "vnet headers: TSO reads, TCP GSO writes" : "no offload: one packet per read and write",
            Kernel.Statistics.TunUdpWrites);
        Spawn($"tun-rx {Tun.Name}", Tun.Offload ? OffloadTunLoop : () => TunLoop(Tun, 0));
        foreach (var (device, id) in _interfaces)
        {
            var (d, i) = (device, id);
            Spawn($"tun-rx {d.Name}", () => TunLoop(d, i));
        }
        foreach (var endpoint in Udp.Endpoints)
        {
            var ep = endpoint;
            // GRO batches only on the NAT-T port, and only where the kernel offers UDP_GRO.
            if (Tun.Offload && ep.Port == Udp.NatTPort)
                ep.EnableGro();
            ep.EnableDropCount();
            Spawn($"udp-rx {ep.LocalEndPoint}", () => UdpLoop(ep));
        }
        foreach (var raw in Udp.RawEspSockets)
        {
            var socket = raw;
            Spawn($"esp-rx {socket.Family}", () => RawLoop(socket));
        }
        foreach (var raw in Udp.RawAhSockets)
        {
            var socket = raw;
            Spawn($"ah-rx {socket.Family}", () => RawAhLoop(socket));
        }
    }

    private void Spawn(string name, ThreadStart loop)
    {
        var t = new Thread(() =>
        {
            SetPacketPriority();
            loop();
        }) { IsBackground = true, Name = name };
        _threads.Add(t);
        t.Start();
    }

    private void TunLoop(TunDevice tun, uint interfaceId)
    {
        var buffer = new byte[UserspaceKernel.Headroom + MaxPacket + UserspaceKernel.Tailroom];
        while (!_stopping)
        {
            int n = tun.Read(buffer.AsSpan(UserspaceKernel.Headroom, MaxPacket), PollMs);
            if (n < 0)
            {
                ReportLost(tun);
                break;
            }
            if (n == 0)
                continue;
            try
            {
                Kernel.ProcessOutbound(buffer, UserspaceKernel.Headroom, n, interfaceId);
            }
            catch (Exception e)
            {
                // Expected failures are drop counters; anything thrown is a bug, logged, not fatal.
                _log.LogError(e, "outbound packet processing failed");
            }
        }
    }

    /// <summary>Gives the calling packet thread <see cref="PacketNice"/>; a refusal is logged once.</summary>
    internal void SetPacketPriority()
    {
        if (PacketNice == 0 || PacketPriority.Apply(PacketNice) is not { } why || Interlocked.Exchange(ref _priorityRefused, 1) != 0)
            return;
        _log.LogWarning("packet threads keep their priority: nice {Nice} refused ({Reason})", PacketNice, why);
    }

    private void ReportLost(TunDevice tun)
    {
        if (_stopping || tun.Lost is not { } why || Interlocked.Exchange(ref _deviceLost, 1) != 0)
            return;
        DeviceLost?.Invoke($"TUN device '{tun.Name}' is gone ({why})");
    }

    private void DeliverIke(UdpAddress local, UdpAddress remote, ReadOnlySpan<byte> message)
    {
        if (_onIke is null)
            return;
        try
        {
            _onIke(local.ToIPEndPoint(), remote.ToIPEndPoint(), message);
        }
        catch (Exception e)
        {
            // The IKE side's failure must not take the socket thread down with it.
            _log.LogError(e, "IKE handler failed for a datagram from {Remote}", remote);
        }
    }

    /// <summary>Stops the threads, then closes the sockets and the device and zeroes all SA keys.</summary>
    public void Dispose()
    {
        _stopping = true;
        foreach (var t in _threads)
            t.Join(TimeSpan.FromSeconds(2));
        Kernel.Dispose();
        _routes?.Dispose();
        Udp.Dispose();
        Tun.Dispose();
        foreach (var (device, _) in _interfaces)
            device.Dispose();
    }
}
