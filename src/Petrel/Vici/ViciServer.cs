using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Petrel.Daemon;

namespace Petrel.Vici;

/// <summary>
/// strongSwan's vici protocol on a Unix stream socket (petrel { vici = PATH }), so swanctl, strongMan,
/// govici and the vici Prometheus exporters drive Petrel. The socket file gets the control socket's
/// mode (0600): vici can load connections and secrets, so only the daemon's owner may use it. At most
/// <see cref="MaxClients"/> clients at a time; more are closed at once.
/// </summary>
public sealed class ViciServer : IAsyncDisposable
{
    public const int MaxClients = 32;

    private readonly string _path;
    private readonly ILogger _log;
    private readonly List<ViciSession> _sessions = [];
    private readonly Lock _lock = new();
    private readonly UnixSocketServer _server;

    public ViciServer(string path, ViciCommands commands, ILogger<ViciServer> log)
    {
        _path = path;
        _log = log;
        Dispatcher = new ViciDispatcher(this, commands, log);
        _server = new UnixSocketServer(path, "vici socket", log);
    }

    public string Path => _path;

    internal ViciDispatcher Dispatcher { get; }

    /// <summary>Binds the socket. Throws <see cref="IOException"/> with a one-line reason when it cannot.</summary>
    public void Start() => _server.Start(Serve);

    /// <summary>A client registered or unregistered an event, started or ended an initiate/terminate, or left.</summary>
    public event Action? ListenersChanged;

    internal void OnListenersChanged() => ListenersChanged?.Invoke();

    /// <summary>Sends an event to every client registered for it (ike-updown, child-updown, log).</summary>
    public void Publish(string name, byte[] message)
    {
        foreach (var s in Sessions())
            s.TrySendEvent(name, message);
    }

    /// <summary>How many connected clients are registered for an event.</summary>
    public int Listeners(string name) => Sessions().Count(s => s.IsRegistered(name));

    /// <summary>A copy of the connected clients, for publishing without holding the lock.</summary>
    internal ViciSession[] Sessions()
    {
        lock (_lock) return [.. _sessions];
    }

    internal void Remove(ViciSession session)
    {
        lock (_lock) _sessions.Remove(session);
        OnListenersChanged();
    }

    /// <summary>Serves one client on its own task; null when <see cref="MaxClients"/> are connected already (the client is closed).</summary>
    private Task? Serve(Socket client, CancellationToken cancel)
    {
        ViciSession session;
        lock (_lock)
        {
            if (_sessions.Count >= MaxClients)
            {
                _log.LogWarning("vici: {Max} clients are connected already, closing a new one", MaxClients);
                client.Dispose();
                return null;
            }
            session = new ViciSession(client, Dispatcher, _log);
            _sessions.Add(session);
        }
        return Task.Run(() => session.RunAsync(cancel), CancellationToken.None);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
