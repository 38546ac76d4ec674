using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Crypto.Primitives;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Platform.Host;

namespace Petrel.Daemon;

/// <summary>
/// The production platform: the TUN device, routes, UDP 500/4500 sockets and the userspace data
/// plane (<see cref="DataPlaneHost"/>), and the IKE engine on top. Needs root (CAP_NET_ADMIN for
/// TUN and routes, CAP_NET_BIND_SERVICE for port 500). IKE datagrams arrive on socket threads and
/// are copied into the engine loop; the engine sends through the same sockets.
/// </summary>
public sealed class SystemPlatform : IDaemonPlatform
{
    private DataPlaneHost? _host;
    private EngineLoop? _loop;
    private ILogger? _log;

    public IEngineFacade CreateEngine(DaemonSettings settings, ILoggerFactory loggers)
    {
        _log = loggers.CreateLogger<SystemPlatform>();
        try
        {
            _host = OpenHost(settings, loggers, raw: true);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            // Raw protocol 50/51 sockets need CAP_NET_RAW: without it, ESP-in-UDP still works.
            _log.LogWarning("raw ESP/AH sockets unavailable ({Error}); only UDP-encapsulated ESP will carry traffic", e.Message);
            try
            {
                _host = OpenHost(settings, loggers, raw: false);
            }
            catch (Exception e2) when (e2 is not OutOfMemoryException)
            {
                throw new DaemonStartException($"cannot open the data plane ({Devices(settings)}, UDP ports {settings.IkePort}/{settings.NatTPort}): {e2.Message}", e2);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DaemonStartException($"cannot open the data plane ({Devices(settings)}, UDP ports {settings.IkePort}/{settings.NatTPort}): {e.Message}", e);
        }
        var options = new IkeEngineOptions
        {
            IkePort = settings.IkePort,
            NatTPort = settings.NatTPort,
            LocalAddressFor = SourceAddress.Towards,
            RetransmitTimeout = settings.RetransmitTimeout,
            RetransmitBase = settings.RetransmitBase,
            RetransmitTries = settings.RetransmitTries,
            FragmentSize = settings.FragmentSize,
            CookieThreshold = settings.CookieThreshold,
            BlockThreshold = settings.BlockThreshold,
            InitLimitHalfOpen = settings.InitLimitHalfOpen,
            MaxPacket = settings.MaxPacket,
            ExportKeys = settings.ExportKeys,
        };
        var engine = new IkeEngine(options, _host.Kernel, new SocketIkeTransport(_host.Udp, _log), SystemClock.Instance, SystemRandom.Instance, loggers)
        {
            VirtualIpHost = new TunVirtualIps(settings.TunName),
        };
        return new IkeEngineFacade(engine);
    }

    /// <summary>"TUN device 'petrel0'" and the route-based interfaces, for the message when opening them fails.</summary>
    private static string Devices(DaemonSettings settings) =>
        settings.VirtualInterfaces.Interfaces.Count == 0
            ? $"TUN device '{settings.TunName}'"
            : $"TUN device '{settings.TunName}', route-based interfaces {settings.VirtualInterfaces}";

    /// <summary>
    /// The data plane with raw ESP (protocol 50) and AH (51) sockets for SAs without UDP
    /// encapsulation, and every socket marked so transport-mode routes (host traffic to the peer
    /// into the TUN device) leave the daemon's own IKE/ESP/AH packets alone.
    /// </summary>
    private DataPlaneHost OpenHost(DaemonSettings settings, ILoggerFactory loggers, bool raw) =>
        DataPlaneHost.Open(new DataPlaneOptions
        {
            TunName = settings.TunName,
            IkePort = settings.IkePort,
            NatTPort = settings.NatTPort,
            TunMtu = settings.TunMtu == DaemonSettings.AutoTunMtu ? Petrel.Platform.Tun.TunDevice.DefaultMtu : settings.TunMtu,
            AutoTunMtu = settings.TunMtu == DaemonSettings.AutoTunMtu,
            PathMtu = settings.PathMtu,
            ClampMss = settings.MssClamp,
            PacketThreads = settings.PacketThreads == DaemonSettings.AutoPacketThreads ? Environment.ProcessorCount : settings.PacketThreads,
            PacketNice = settings.PacketNice,
            VirtualInterfaces = [.. settings.VirtualInterfaces.Interfaces.Select(i => new VirtualInterface(i.Id, i.Name))],
            RawEsp = raw,
            RawAh = raw,
            SocketMark = raw ? DataPlaneOptions.DefaultSocketMark : 0,
        }, OnIke, loggers);

    /// <summary>On a socket thread: the engine's bounded ingress copies the message (the buffer is reused) or sheds it.</summary>
    private void OnIke(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message) => _loop?.PostDatagram(local, remote, message);

    public Petrel.DataPlane.Kernel.IIpsecKernel? Kernel => _host?.Kernel;

    public IInterfaceLinks? Links => _host is null ? null : SystemInterfaceLinks.Instance;

    public void Start(EngineLoop loop, Action<string> failed)
    {
        _loop = loop;
        // RFC 4301 §5.1 acquires come on a TUN thread: hand them to the engine's thread.
        if (_host is not null)
        {
            _host.Kernel.Acquire += a => loop.Post(e => e.HandleAcquire(a));
            _host.Kernel.SequenceExhaustion += x => loop.Post(e => e.HandleSequenceExhaustion(x));
            _host.DeviceLost += failed;
        }
        _host?.Start();
    }

    public ValueTask DisposeAsync()
    {
        _loop = null;
        _host?.Dispose();
        _host = null;
        return ValueTask.CompletedTask;
    }
}
