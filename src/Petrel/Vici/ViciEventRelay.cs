using Microsoft.Extensions.Logging;
using Petrel.Daemon;
using Petrel.Daemon.Events;
using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>
/// Carries the daemon's event feed (<see cref="EventHub"/>) to vici clients: IKE SAs coming up and going
/// down as ike-updown, CHILD_SAs as child-updown (with the same fields as list-sa), rekeys as ike-rekey and
/// child-rekey (old and new SA), a peer's move to another address or port as ike-update, log lines as log events,
/// and, to a client running initiate or terminate, its connection's lines as control-log. Log lines are
/// subscribed to only while some client listens, so an idle vici socket costs the loggers nothing.
/// </summary>
public sealed class ViciEventRelay : IAsyncDisposable
{
    /// <summary>charon's log event carries levels 0 and 1 (vici README): Petrel's information and above.</summary>
    private const LogLevel LogEventLevel = LogLevel.Information;

    private readonly ViciServer _server;
    private readonly EventHub _hub;
    private readonly EngineLoop _loop;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private FeedSubscription? _events;
    private FeedSubscription? _lines;
    private readonly List<Task> _pumps = [];

    public ViciEventRelay(ViciServer server, EventHub hub, EngineLoop loop, ILogger log)
    {
        _server = server;
        _hub = hub;
        _loop = loop;
        _log = log;
    }

    public void Start()
    {
        _events = _hub.Subscribe(events: true, logLevel: LogLevel.None);
        _pumps.Add(PumpEventsAsync(_events, _stop.Token));
        _server.ListenersChanged += UpdateLogSubscription;
    }

    /// <summary>
    /// Subscribes to log lines while a client wants log or has an initiate/terminate running, at the most verbose
    /// level one of them asked for (information, or debug for a control-log loglevel of 2 and more), and leaves
    /// the feed otherwise.
    /// </summary>
    private void UpdateLogSubscription()
    {
        var wanted = LogLevel.None;
        foreach (var s in _server.Sessions())
        {
            if (s.IsRegistered("log"))
                wanted = Min(wanted, LogEventLevel);
            if (s.Control is { } scope && s.IsRegistered("control-log"))
                wanted = Min(wanted, scope.Level >= 2 ? LogLevel.Debug : LogEventLevel);
        }
        lock (_lock)
        {
            if (_stop.IsCancellationRequested || (_lines?.LogLevel ?? LogLevel.None) == wanted) return;
            _lines?.Dispose();
            _lines = null;
            if (wanted != LogLevel.None)
            {
                _lines = _hub.Subscribe(events: false, logLevel: wanted);
                _pumps.Add(PumpLinesAsync(_lines, _stop.Token));
            }
            _pumps.RemoveAll(t => t.IsCompleted);
        }
    }

    private static LogLevel Min(LogLevel a, LogLevel b) => a < b ? a : b;

    private async Task PumpEventsAsync(FeedSubscription subscription, CancellationToken cancel)
    {
        try
        {
            await foreach (var item in subscription.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                if (item.Event is { } e)
                {
                    try
                    {
                        await RelayAsync(e).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _log.LogWarning("vici: could not relay {Kind} of {Connection}: {Error}", e.Kind, e.Connection, ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(SaEvent e)
    {
        string name = e.Kind switch
        {
            SaEventKind.IkeUp or SaEventKind.IkeDown => "ike-updown",
            SaEventKind.ChildUp or SaEventKind.ChildDown => "child-updown",
            SaEventKind.IkeRekey => "ike-rekey",
            SaEventKind.ChildRekey => "child-rekey",
            SaEventKind.IkeUpdate => "ike-update",
            _ => "",
        };
        if (name.Length == 0 || !_server.Sessions().Any(s => s.IsRegistered(name)))
            return;
        // The SAs as list-sas shows them now; one that is gone already is described from the event itself.
        var sas = await _loop.InvokeAsync(engine => engine.ListSas()).ConfigureAwait(false);
        var sa = Find(sas, e.IkeSaId, e);
        var w = new ViciWriter();
        switch (e.Kind)
        {
            case SaEventKind.IkeUp or SaEventKind.IkeDown:
                if (e.Kind == SaEventKind.IkeUp) w.Add("up", "yes");
                ViciSaWriter.Write(w, sa, children: false);
                break;
            case SaEventKind.ChildUp or SaEventKind.ChildDown:
                if (e.Kind == SaEventKind.ChildUp) w.Add("up", "yes");
                ViciSaWriter.Write(w, sa, children: true, [FindChild(sa, e.ChildSaId, e, e.ChildState)]);
                break;
            case SaEventKind.IkeRekey:
                // { NAME { old { … } new { … } } }, without child-sas (vici README, ike-rekey).
                w.BeginSection(e.Connection).BeginSection("old");
                ViciSaWriter.WriteFields(w, sa);
                w.EndSection().BeginSection("new");
                ViciSaWriter.WriteFields(w, Find(sas, e.NewIkeSaId, e));
                w.EndSection().EndSection();
                break;
            case SaEventKind.IkeUpdate:
                // The new endpoints, then the SA as list-sa shows it, still with the old ones (vici README, ike-update).
                w.Add("local-host", e.NewLocalHost).Add("local-port", e.NewLocalPort).Add("remote-host", e.NewRemoteHost).Add("remote-port", e.NewRemotePort);
                ViciSaWriter.Write(w, sa.LocalHost == e.LocalHost && sa.RemoteHost == e.RemoteHost && sa.LocalPort == e.LocalPort && sa.RemotePort == e.RemotePort
                    ? sa
                    : sa with { LocalHost = e.LocalHost, RemoteHost = e.RemoteHost, LocalPort = e.LocalPort, RemotePort = e.RemotePort }, children: false);
                break;
            case SaEventKind.ChildRekey:
                // { NAME { IKE fields, child-sas { CHILD { old { … } new { … } } } } } (vici README, child-rekey).
                w.BeginSection(e.Connection);
                ViciSaWriter.WriteFields(w, sa);
                w.BeginSection("child-sas").BeginSection(e.Child).BeginSection("old");
                ViciSaWriter.WriteChild(w, FindChild(sa, e.ChildSaId, e, "REKEYED"));
                w.EndSection().BeginSection("new");
                ViciSaWriter.WriteChild(w, FindChild(sa, e.NewChildSaId, e, "INSTALLED"));
                w.EndSection().EndSection().EndSection().EndSection();
                break;
        }
        _server.Publish(name, w.ToArray());
    }

    /// <summary>The SA from list-sas, or, when it is gone already, what the event says of it.</summary>
    private static IkeSaInfo Find(IReadOnlyList<IkeSaInfo> sas, uint id, SaEvent e) =>
        sas.FirstOrDefault(s => s.UniqueId == id)
        ?? (id == e.IkeSaId
            ? new IkeSaInfo
            {
                Name = e.Connection, UniqueId = id, State = e.IkeState, LocalHost = e.LocalHost, RemoteHost = e.RemoteHost,
                LocalId = e.LocalId, RemoteId = e.RemoteId, Initiator = e.Initiator, InitiatorSpi = e.InitiatorSpi, ResponderSpi = e.ResponderSpi,
            }
            : new IkeSaInfo { Name = e.Connection, UniqueId = id, State = "DESTROYING", LocalHost = e.LocalHost, RemoteHost = e.RemoteHost });

    private static ChildSaInfo FindChild(IkeSaInfo sa, uint id, SaEvent e, string state) =>
        sa.Children.FirstOrDefault(c => c.UniqueId == id)
        ?? (id == e.ChildSaId
            ? new ChildSaInfo { Name = e.Child, UniqueId = id, State = state, SpiIn = e.SpiIn, SpiOut = e.SpiOut }
            : new ChildSaInfo { Name = e.Child, UniqueId = id, State = state });

    private async Task PumpLinesAsync(FeedSubscription subscription, CancellationToken cancel)
    {
        try
        {
            await foreach (var item in subscription.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
                if (item.Log is { } line)
                    Relay(line);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Relay(LogLine line)
    {
        string? ike = null, id = null;
        foreach (var (key, value) in line.Fields)
        {
            if (key == "ike_sa") ike ??= value;
            else if (key == "unique_id") id ??= value;
        }
        int level = Level(line.Level);
        byte[]? message = null;
        byte[] Message()
        {
            var w = new ViciWriter().Add("group", Group(line.Category)).Add("level", level);
            if (ike is not null) w.Add("ikesa-name", ike);
            if (id is not null) w.Add("ikesa-uniqueid", id);
            return w.Add("msg", line.Exception is null ? line.Message : $"{line.Message}: {line.Exception}").ToArray();
        }
        foreach (var s in _server.Sessions())
        {
            if (line.Level >= LogEventLevel && s.IsRegistered("log"))
                s.TrySendEvent("log", message ??= Message());
            if (s.Control is { } scope && level <= scope.Level && (scope.Connection is null || scope.Connection == ike))
                s.TrySendEvent("control-log", message ??= Message());
        }
    }

    /// <summary>charon's levels: 0 the most important, 1 audit, 2 control, 3 and 4 the most verbose.</summary>
    public static int Level(LogLevel level) => level switch
    {
        LogLevel.Critical or LogLevel.Error or LogLevel.Warning => 0,
        LogLevel.Information => 1,
        LogLevel.Debug => 2,
        _ => 3,
    };

    /// <summary>charon's subsystem tags, from the logger's category.</summary>
    public static string Group(string category) =>
        category.Contains(".Ike", StringComparison.Ordinal) ? "IKE"
        : category.Contains(".Vici", StringComparison.Ordinal) || category.Contains("Control", StringComparison.Ordinal) || category.Contains(".Config", StringComparison.Ordinal) ? "CFG"
        : category.Contains(".DataPlane", StringComparison.Ordinal) || category.Contains(".Platform", StringComparison.Ordinal) || category.Contains("Shunt", StringComparison.Ordinal) ? "KNL"
        : "DMN";

    public async ValueTask DisposeAsync()
    {
        _server.ListenersChanged -= UpdateLogSubscription;
        Task[] pumps;
        lock (_lock)
        {
            _stop.Cancel();
            _events?.Dispose();
            _lines?.Dispose();
            _lines = null;
            pumps = [.. _pumps];
        }
        try { await Task.WhenAll(pumps).ConfigureAwait(false); }
        catch (Exception e) { _log.LogDebug("vici event relay ended: {Error}", e.Message); }
        _stop.Dispose();
    }
}
