using Microsoft.Extensions.Logging;
using Petrel.Daemon;
using Petrel.Daemon.Events;
using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>
/// Carries the daemon's event feed (<see cref="EventHub"/>) to vici clients: IKE SAs coming up and going
/// down as ike-updown, CHILD_SAs as child-updown (with the same fields as list-sa), log lines as log events,
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
            _ => "",
        };
        if (name.Length == 0 || !_server.Sessions().Any(s => s.IsRegistered(name)))
            return;
        bool up = e.Kind is SaEventKind.IkeUp or SaEventKind.ChildUp;
        // The SA as list-sas shows it now; one that is gone already is described from the event itself.
        var sa = (await _loop.InvokeAsync(engine => engine.ListSas()).ConfigureAwait(false)).FirstOrDefault(s => s.UniqueId == e.IkeSaId)
            ?? new IkeSaInfo { Name = e.Connection, UniqueId = e.IkeSaId, State = e.IkeState, LocalHost = e.LocalHost, RemoteHost = e.RemoteHost };
        var w = new ViciWriter();
        if (up) w.Add("up", "yes");
        if (name == "ike-updown")
        {
            ViciSaWriter.Write(w, sa, children: false);
        }
        else
        {
            var child = sa.Children.FirstOrDefault(c => c.UniqueId == e.ChildSaId)
                ?? new ChildSaInfo { Name = e.Child, UniqueId = e.ChildSaId, State = e.ChildState };
            ViciSaWriter.Write(w, sa, children: true, [child]);
        }
        _server.Publish(name, w.ToArray());
    }

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
