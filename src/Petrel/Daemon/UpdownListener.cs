using Microsoft.Extensions.Logging;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;

namespace Petrel.Daemon;

/// <summary>
/// Calls the children's updown commands (swanctl.conf children.NAME.updown) on the daemon's CHILD_SA events:
/// up when one is installed, down when it goes away, once per traffic selector pair, like charon's updown plugin;
/// a rekey calls nothing (the replacement inherits the snapshot). <see cref="OnEvent"/> runs on the engine
/// thread from <see cref="Events.EventHub.EventPublished"/>: it only snapshots the SA and queues the calls on
/// the <see cref="UpdownRunner"/>, so a slow or failing script never holds the engine. The engine announces a
/// CHILD_SA before its IKE SA lists it, so the snapshot is taken by work posted behind the event (still on the
/// engine thread, before any later datagram's events).
/// </summary>
public sealed class UpdownListener
{
    private readonly UpdownRunner _runner;
    private readonly Func<uint, string?> _interfaceOf;
    private readonly string _tunName;
    private readonly ILogger _log;
    private readonly string _path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
    /// <summary>Installed CHILD_SAs that have a script, by unique id: their down uses what their up saw.</summary>
    private readonly Dictionary<uint, UpdownEnvironment.Snapshot> _installed = [];
    /// <summary>CHILD_SAs announced whose snapshot is not taken yet (announced id → id now, after rekeys); a down before it cancels the up.</summary>
    private readonly Dictionary<uint, uint> _pending = [];
    private readonly Func<Action<IEngineFacade>, bool> _post;

    /// <param name="interfaceOf">The route-based interface of an if_id (null for none).</param>
    /// <param name="tunName">The TUN device policy-based CHILD_SAs' traffic leaves and enters by (PLUTO_INTERFACE).</param>
    /// <param name="post">Runs work on the engine thread after the current event (<see cref="EngineLoop.Post"/>).</param>
    public UpdownListener(UpdownRunner runner, Func<Action<IEngineFacade>, bool> post, Func<uint, string?> interfaceOf, string tunName, ILogger log)
    {
        _post = post;
        _runner = runner;
        _interfaceOf = interfaceOf;
        _tunName = tunName;
        _log = log;
    }

    /// <summary>CHILD_SAs with a script that are up now.</summary>
    public int Installed => _installed.Count;

    /// <summary>Engine thread only. Never throws.</summary>
    public void OnEvent(SaEvent e, IEngineFacade engine)
    {
        try
        {
            switch (e.Kind)
            {
                case SaEventKind.ChildUp:
                    if (!HasScript(e, engine)) break;
                    _pending[e.ChildSaId] = e.ChildSaId;
                    if (!_post(later => Up(e, later)))
                        _pending.Remove(e.ChildSaId);
                    break;
                case SaEventKind.ChildRekey:
                    if (_installed.Remove(e.ChildSaId, out var old))
                        _installed[e.NewChildSaId] = old;
                    else if (PendingKey(e.ChildSaId) is { } announced)
                        _pending[announced] = e.NewChildSaId;
                    break;
                case SaEventKind.ChildDown:
                    if (_installed.Remove(e.ChildSaId, out var gone))
                        Queue(gone, up: false);
                    else if (PendingKey(e.ChildSaId) is { } announced)
                        _pending.Remove(announced);
                    break;
            }
        }
        catch (Exception ex)
        {
            _log.LogWarning("updown: {Kind} of {Connection}/{Child} not handled: {Error}", e.Kind, e.Connection, e.Child, ex.Message);
        }
    }

    private uint? PendingKey(uint current)
    {
        foreach (var (announced, now) in _pending)
            if (now == current) return announced;
        return null;
    }

    private static ChildConfig? ConfigOf(SaEvent e, IEngineFacade engine) =>
        engine.Connections.FirstOrDefault(c => c.Name == e.Connection)?.Children.FirstOrDefault(c => c.Name == e.Child);

    private static bool HasScript(SaEvent e, IEngineFacade engine) => ConfigOf(e, engine)?.Updown is not null;

    /// <summary>Posted behind a ChildUp: snapshots the CHILD_SA (or the one a rekey replaced it with) and queues its up calls.</summary>
    private void Up(SaEvent e, IEngineFacade engine)
    {
        try
        {
            if (!_pending.Remove(e.ChildSaId, out uint current)) return; // went down before
            var config = ConfigOf(e, engine);
            if (config?.Updown is null) return;
            foreach (var sa in engine.ListSas())
            {
                if (sa.Children.FirstOrDefault(c => c.UniqueId == current) is not { } child) continue;
                string iface = (config.InterfaceIdIn != 0 ? _interfaceOf(config.InterfaceIdIn) : null) ?? _tunName;
                var s = new UpdownEnvironment.Snapshot(sa, child, config, iface);
                _installed[current] = s;
                Queue(s, up: true);
                return;
            }
            _log.LogWarning("updown: CHILD_SA {Connection}/{Child} #{Id} is not listed, its updown is not run", e.Connection, e.Child, current);
        }
        catch (Exception ex)
        {
            _log.LogWarning("updown: up of {Connection}/{Child} not handled: {Error}", e.Connection, e.Child, ex.Message);
        }
    }

    private void Queue(UpdownEnvironment.Snapshot s, bool up)
    {
        foreach (var env in UpdownEnvironment.For(s, up, _path))
        {
            string verb = env.First(kv => kv.Key == "PLUTO_VERB").Value;
            _runner.Enqueue(new UpdownRunner.Call(s.Config.Updown!, $"{verb} of {s.Sa.Name}/{s.Child.Name} #{s.Child.UniqueId}", env));
        }
    }
}
