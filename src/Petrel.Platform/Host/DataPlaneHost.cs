using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;
using Petrel.Platform.Routing;
using Petrel.Platform.Tun;

namespace Petrel.Platform.Host;

/// <summary>
/// Runs the userspace data plane on real devices: one thread reads the TUN device and feeds
/// <see cref="UserspaceKernel.ProcessOutbound"/>; one thread per UDP socket reads datagrams and
/// demultiplexes them (RFC 3948): IKE to <see cref="IkeDatagramHandler"/>, NAT keepalives
/// ignored, ESP into <see cref="UserspaceKernel.ProcessInbound"/>. Each thread owns one buffer,
/// so the steady state allocates nothing.
/// <code>
/// using var host = DataPlaneHost.Open(new DataPlaneOptions(), onIke, loggerFactory);
/// // host.Kernel is the IIpsecKernel for the IKE engine; its IIkeTransport calls host.Udp.SendIke.
/// host.Start();
/// </code>
/// </summary>
public sealed class DataPlaneHost : IDisposable
{
    private const int PollMs = 200;
    private const int MaxPacket = 65535;

    private readonly IkeDatagramHandler? _onIke;
    private readonly ILogger _log;
    private readonly List<Thread> _threads = [];
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
    public UdpTransport Udp { get; }
    public UserspaceKernel Kernel { get; }

    /// <summary>Opens the TUN device and sockets and builds the kernel on them (not started yet).</summary>
    public static DataPlaneHost Open(DataPlaneOptions options, IkeDatagramHandler? onIke, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        var tun = TunDevice.Open(options.TunName);
        UdpTransport? udp = null;
        try
        {
            tun.Configure(options.TunMtu, [.. options.TunAddresses]);
            udp = new UdpTransport(options.IkePort, options.NatTPort, options.BindAddresses, options.RawEsp);
            var routes = options.ManageRoutes ? new RouteManager(tun.Name, loggers.CreateLogger<RouteManager>()) : null;
            var kernel = new UserspaceKernel(udp, tun, routes, logger: loggers.CreateLogger<UserspaceKernel>())
            {
                PathMtu = options.PathMtu,
                ClampMss = options.ClampMss,
            };
            return new DataPlaneHost(tun, udp, kernel, onIke, loggers.CreateLogger<DataPlaneHost>());
        }
        catch
        {
            udp?.Dispose();
            tun.Dispose();
            throw;
        }
    }

    public void Start()
    {
        Spawn($"tun-rx {Tun.Name}", TunLoop);
        foreach (var endpoint in Udp.Endpoints)
        {
            var ep = endpoint;
            Spawn($"udp-rx {ep.LocalEndPoint}", () => UdpLoop(ep));
        }
        foreach (var raw in Udp.RawEspSockets)
        {
            var socket = raw;
            Spawn($"esp-rx {socket.Family}", () => RawLoop(socket));
        }
    }

    private void Spawn(string name, ThreadStart loop)
    {
        var t = new Thread(loop) { IsBackground = true, Name = name };
        _threads.Add(t);
        t.Start();
    }

    private void TunLoop()
    {
        var buffer = new byte[UserspaceKernel.Headroom + MaxPacket + UserspaceKernel.Tailroom];
        while (!_stopping)
        {
            int n = Tun.Read(buffer.AsSpan(UserspaceKernel.Headroom, MaxPacket), PollMs);
            if (n < 0)
                break;
            if (n == 0)
                continue;
            try
            {
                Kernel.ProcessOutbound(buffer, UserspaceKernel.Headroom, n);
            }
            catch (Exception e)
            {
                // Expected failures are drop counters; anything thrown is a bug, logged, not fatal.
                _log.LogError(e, "outbound packet processing failed");
            }
        }
    }

    private void UdpLoop(UdpEndpoint endpoint)
    {
        var buffer = new byte[MaxPacket];
        bool natT = endpoint.Port == Udp.NatTPort;
        while (!_stopping)
        {
            int n = endpoint.Receive(buffer, PollMs, out var source, out var destination);
            if (n < 0)
                break;
            if (n == 0)
                continue;
            try
            {
                Dispatch(buffer.AsSpan(0, n), natT, source, destination);
            }
            catch (Exception e)
            {
                _log.LogError(e, "inbound datagram from {Source} failed", source);
            }
        }
    }

    private void RawLoop(RawEspSocket socket)
    {
        var buffer = new byte[MaxPacket];
        while (!_stopping)
        {
            int n = socket.Receive(buffer, PollMs, out int offset);
            if (n < 0)
                break;
            if (n == 0)
                continue;
            try
            {
                Kernel.ProcessInbound(buffer.AsSpan(offset, n));
            }
            catch (Exception e)
            {
                _log.LogError(e, "inbound raw ESP packet failed");
            }
        }
    }

    private void Dispatch(Span<byte> datagram, bool natT, in UdpAddress source, in UdpAddress destination)
    {
        if (!natT)
        {
            // Port 500 carries only IKE, without a marker.
            DeliverIke(destination, source, datagram);
            return;
        }
        switch (UdpEncapsulation.Classify(datagram))
        {
            case UdpDatagramKind.Esp:
                Kernel.ProcessInbound(datagram);
                break;
            case UdpDatagramKind.Ike:
                DeliverIke(destination, source, datagram[UdpEncapsulation.NonEspMarkerLength..]);
                break;
            default:
                break; // keepalive (RFC 3948 §2.3) or runt: nothing to do
        }
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
        Udp.Dispose();
        Tun.Dispose();
    }
}
