using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Petrel.Ike.Radius;

/// <summary>
/// What the engine needs of RADIUS (petrel { eap-radius { … } }): the client, the way back onto the engine's thread
/// for answers (<see cref="Post"/>: the daemon's engine loop; tests queue and drain by hand) and RFC 2866 accounting.
/// RADIUS exchanges run on the thread pool; the engine never waits for one. Accounting records are sent in the
/// background, one line in the log when no server took one.
/// </summary>
public sealed class RadiusService : IDisposable
{
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly HashSet<Task> _records = [];

    public RadiusService(RadiusClient client, Action<Action> post, ILogger? log = null)
    {
        _current = new Current(client, new RadiusAccounting(client));
        Post = post;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>The client and its accounting, swapped as one by <see cref="Replace"/>.</summary>
    private sealed record Current(RadiusClient Client, RadiusAccounting Accounting);

    private volatile Current _current;
    private readonly List<RadiusClient> _retired = [];

    /// <summary>The client new conversations and accounting records use (a reload may replace it).</summary>
    public RadiusClient Client => _current.Client;
    public RadiusSettings Settings => Client.Settings;
    public RadiusAccounting Accounting => _current.Accounting;

    /// <summary>
    /// How long a replaced client stays open for the conversations started on it (each holds its client, so it ends
    /// on the servers and secrets it began with). IKE_AUTH cannot outlast the half-open timeout, so this bounds them.
    /// </summary>
    public TimeSpan RetireAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Reload: new conversations and accounting records use <paramref name="client"/> (new servers, secrets, timeouts);
    /// conversations already running finish on the old client, which is closed <see cref="RetireAfter"/> later.
    /// </summary>
    public void Replace(RadiusClient client)
    {
        var old = Client;
        if (ReferenceEquals(old, client)) return;
        _current = new Current(client, new RadiusAccounting(client));
        lock (_gate) _retired.Add(old);
        Task.Delay(RetireAfter).ContinueWith(_ => Retire(old), TaskScheduler.Default);
    }

    private void Retire(RadiusClient old)
    {
        lock (_gate)
            if (!_retired.Remove(old)) return;
        old.Dispose();
    }

    /// <summary>Clients replaced by a reload and still open for their conversations.</summary>
    public int RetiredClients { get { lock (_gate) return _retired.Count; } }

    /// <summary>Runs an action on the engine's thread (answers of pass-through conversations).</summary>
    public Action<Action> Post { get; }

    /// <summary>Accounting records sent so far, and those no server acknowledged (for tests and the log).</summary>
    public long RecordsSent => Interlocked.Read(ref _sent);
    public long RecordsLost => Interlocked.Read(ref _lost);
    private long _sent, _lost;

    /// <summary>Sends one accounting record in the background.</summary>
    public void Send(string what, Func<Task<RadiusReply>> record)
    {
        Task task = Run(what, record);
        lock (_gate) _records.Add(task);
        task.ContinueWith(t => { lock (_gate) _records.Remove(t); }, TaskScheduler.Default);
    }

    private async Task Run(string what, Func<Task<RadiusReply>> record)
    {
        try
        {
            var reply = await record().ConfigureAwait(false);
            if (reply.TimedOut)
            {
                Interlocked.Increment(ref _lost);
                _log.LogWarning("RADIUS accounting {What} was not acknowledged: {Error}", what, reply.Error);
                return;
            }
            Interlocked.Increment(ref _sent);
            _log.LogDebug("RADIUS accounting {What} acknowledged by {Server}", what, reply.Server);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _lost);
            _log.LogWarning("RADIUS accounting {What} failed: {Message}", what, e.Message);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for accounting records still being sent (Stop records at shutdown).</summary>
    public bool Flush(TimeSpan timeout)
    {
        Task[] pending;
        lock (_gate) pending = [.. _records];
        return pending.Length == 0 || Task.WaitAll(pending, timeout);
    }

    public void Dispose()
    {
        List<RadiusClient> retired;
        lock (_gate) { retired = [.. _retired]; _retired.Clear(); }
        foreach (var c in retired) c.Dispose();
        Client.Dispose();
    }
}
