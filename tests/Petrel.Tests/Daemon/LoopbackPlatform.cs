using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Crypto.Primitives;
using Petrel.Daemon;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;

namespace Petrel.Tests.Daemon;

/// <summary>
/// A platform for unprivileged end-to-end tests: the real IKE engine and userspace kernel, UDP
/// sockets on one loopback address and unprivileged ports, and no TUN (decrypted packets and ESP
/// are dropped). Two daemons on 127.0.0.1 and 127.0.0.2 negotiate real IKE SAs with each other.
/// </summary>
public sealed class LoopbackPlatform(IPAddress address) : IDaemonPlatform, IIkeTransport
{
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private EngineLoop? _loop;
    private int _natTPort;
    private volatile bool _stopping;

    public UserspaceKernel? Kernel { get; private set; }

    Petrel.DataPlane.Kernel.IIpsecKernel? IDaemonPlatform.Kernel => Kernel;

    public IEngineFacade CreateEngine(DaemonSettings settings, ILoggerFactory loggers)
    {
        _natTPort = settings.NatTPort;
        foreach (int port in new[] { settings.IkePort, settings.NatTPort })
        {
            var s = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(address, port));
            _sockets.Add(s);
        }
        Kernel = new UserspaceKernel(new DiscardOuter(), new DiscardTunnel());
        var options = new IkeEngineOptions
        {
            IkePort = settings.IkePort, NatTPort = settings.NatTPort,
            RetransmitTimeout = settings.RetransmitTimeout, RetransmitBase = settings.RetransmitBase, RetransmitTries = settings.RetransmitTries,
            ExportKeys = settings.ExportKeys,
        };
        return new IkeEngineFacade(new IkeEngine(options, Kernel, this, SystemClock.Instance, SystemRandom.Instance, loggers));
    }

    public void Start(EngineLoop loop, Action<string> failed)
    {
        _loop = loop;
        foreach (var s in _sockets)
        {
            var socket = s;
            var t = new Thread(() => ReceiveLoop(socket)) { IsBackground = true, Name = $"test-udp {socket.LocalEndPoint}" };
            _threads.Add(t);
            t.Start();
        }
    }

    private void ReceiveLoop(Socket socket)
    {
        var buffer = new byte[65535];
        var local = (IPEndPoint)socket.LocalEndPoint!;
        bool natT = local.Port == _natTPort;
        while (!_stopping)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, ref from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var span = buffer.AsSpan(0, n);
            if (natT)
            {
                if (UdpEncapsulation.Classify(span) != UdpDatagramKind.Ike) continue;
                span = span[UdpEncapsulation.NonEspMarkerLength..];
            }
            _loop?.PostDatagram(local, (IPEndPoint)from, span);
        }
    }

    public void Send(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> message)
    {
        var socket = _sockets.FirstOrDefault(s => ((IPEndPoint)s.LocalEndPoint!).Port == local.Port);
        if (socket is null) return;
        byte[] datagram = local.Port == _natTPort ? [0, 0, 0, 0, .. message.Span] : message.ToArray();
        try { socket.SendTo(datagram, remote); } catch (SocketException) { }
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        foreach (var s in _sockets) s.Dispose();
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(2));
        Kernel?.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class DiscardOuter : IOuterTransport
    {
        public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket) => true;
    }

    private sealed class DiscardTunnel : ITunnelDevice
    {
        public bool WritePacket(ReadOnlySpan<byte> packet) => true;
    }
}
