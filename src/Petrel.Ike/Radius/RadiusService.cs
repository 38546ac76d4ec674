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
        Client = client;
        Post = post;
        Accounting = new RadiusAccounting(client);
        _log = log ?? NullLogger.Instance;
    }

    public RadiusClient Client { get; }
    public RadiusSettings Settings => Client.Settings;
    public RadiusAccounting Accounting { get; }

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

    public void Dispose() => Client.Dispose();
}
