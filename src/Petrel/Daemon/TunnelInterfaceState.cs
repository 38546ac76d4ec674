using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Ike.Engine;

namespace Petrel.Daemon;

/// <summary>
/// The route-based interfaces' addresses and link state. At start each interface gets the addresses of
/// petrel { interfaces { NAME { local, peer } } }; a reload changes them when the devices stay the same. Its
/// carrier follows its SAs: on while a CHILD_SA with its if_id is installed (or rekeying), or while a trap
/// policy of such a child waits for traffic; off otherwise. A routing daemon sees the link go when the SA
/// is deleted, expires or its peer dies (BIRD ends a direct BGP session at once, where it would otherwise
/// wait out its hold time), and routes into the device stay in the table, marked linkdown, until it is back.
/// </summary>
/// <remarks>
/// The engine's events ask for a recount, which runs on the engine thread (it reads the SA list); the
/// iproute2 calls run on one background reader, so the engine never waits for a process.
/// </remarks>
public sealed class TunnelInterfaceState : IAsyncDisposable
{
    private static readonly HashSet<string> Carrying = ["INSTALLED", "UPDATING", "REKEYING", "REKEYED"];

    private readonly IInterfaceLinks _links;
    private readonly EngineLoop _loop;
    private readonly Events.EventHub _feed;
    private readonly ILogger _log;
    private readonly Channel<IReadOnlySet<uint>> _wanted = Channel.CreateUnbounded<IReadOnlySet<uint>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, bool> _carrier = new(StringComparer.Ordinal);
    private VirtualInterfaceSet _set;
    private Task? _applier;
    private int _queued;

    public TunnelInterfaceState(VirtualInterfaceSet set, IInterfaceLinks links, EngineLoop loop, Events.EventHub feed, ILogger<TunnelInterfaceState> log)
    {
        _set = set;
        _links = links;
        _loop = loop;
        _feed = feed;
        _log = log;
    }

    /// <summary>Carrier changes made (for tests and the log).</summary>
    public int CarrierChanges { get; private set; }

    /// <summary>Adds the configured addresses, then sets every carrier from the SAs (none yet: off) and follows the events.</summary>
    public void Start()
    {
        foreach (var (id, name) in _set.Interfaces)
        {
            foreach (var address in _set.AddressesOf(id))
            {
                _links.AddAddress(name, address);
                _log.LogInformation("route-based interface {Name} (if_id {Id}): address {Address}", name, id, address);
            }
        }
        _applier = Task.Run(ApplyAsync);
        _feed.EventPublished += OnEvent;
        Refresh();
    }

    /// <summary>
    /// A reload's interfaces: with the same names and ids the addresses are brought to the new file's
    /// (old ones removed, new ones added) and true is returned; other changes need a restart (false).
    /// </summary>
    public bool Reconfigure(VirtualInterfaceSet next)
    {
        if (!_set.SameDevices(next))
            return false;
        foreach (var (id, name) in next.Interfaces)
        {
            var before = _set.AddressesOf(id);
            var after = next.AddressesOf(id);
            foreach (var gone in before.Except(after))
            {
                _links.RemoveAddress(name, gone);
                _log.LogInformation("route-based interface {Name}: address {Address} removed", name, gone);
            }
            foreach (var added in after.Except(before))
            {
                _links.AddAddress(name, added);
                _log.LogInformation("route-based interface {Name} (if_id {Id}): address {Address}", name, id, added);
            }
        }
        _set = next;
        Refresh();
        return true;
    }

    private void OnEvent(SaEvent e)
    {
        if (e.Kind is SaEventKind.ChildState or SaEventKind.ChildUp or SaEventKind.ChildDown or SaEventKind.ChildRekey or SaEventKind.IkeDown)
            Refresh();
    }

    /// <summary>Recounts the interfaces' SAs on the engine thread (trap policies may have changed: vici install, reload).</summary>
    public void Refresh()
    {
        if (Interlocked.Exchange(ref _queued, 1) == 1)
            return;
        _loop.Post(engine =>
        {
            Volatile.Write(ref _queued, 0);
            _wanted.Writer.TryWrite(Carried(engine));
        });
    }

    /// <summary>The if_ids that have an installed CHILD_SA or a trap policy now (engine thread).</summary>
    internal static IReadOnlySet<uint> Carried(IEngineFacade engine)
    {
        var ids = new Dictionary<(string Connection, string Child), (uint In, uint Out)>();
        foreach (var c in engine.Connections)
            foreach (var child in c.Children)
                ids[(c.Name, child.Name)] = (child.InterfaceIdIn, child.InterfaceIdOut);
        var up = new HashSet<uint>();
        void Add(string connection, string child)
        {
            if (!ids.TryGetValue((connection, child), out var id)) return;
            if (id.In != 0) up.Add(id.In);
            if (id.Out != 0) up.Add(id.Out);
        }
        foreach (var sa in engine.ListSas())
            foreach (var child in sa.Children)
                if (Carrying.Contains(child.State)) Add(sa.Name, child.Name);
        foreach (var trap in engine.ListTraps())
            Add(trap.Connection, trap.Child);
        return up;
    }

    private async Task ApplyAsync()
    {
        var reader = _wanted.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            IReadOnlySet<uint>? latest = null;
            while (reader.TryRead(out var item))
                latest = item;
            if (latest is null)
                continue;
            foreach (var (id, name) in _set.Interfaces)
            {
                bool on = latest.Contains(id);
                if (_carrier.TryGetValue(name, out bool now) && now == on)
                    continue;
                try
                {
                    _links.SetCarrier(name, on);
                    _carrier[name] = on;
                    CarrierChanges++;
                    _log.LogInformation(on ? "route-based interface {Name}: carrier on, a CHILD_SA (or trap policy) with if_id {Id} is installed"
                        : "route-based interface {Name}: carrier off, no CHILD_SA with if_id {Id}", name, id);
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
                {
                    _log.LogWarning("route-based interface {Name}: cannot set its carrier {State}: {Error}", name, on ? "on" : "off", e.Message);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _feed.EventPublished -= OnEvent;
        _wanted.Writer.TryComplete();
        if (_applier is not null)
            await _applier.ConfigureAwait(false);
    }
}
