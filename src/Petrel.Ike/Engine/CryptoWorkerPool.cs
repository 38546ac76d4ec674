using System.Collections.Concurrent;

namespace Petrel.Ike.Engine;

/// <summary>
/// A fixed set of worker threads for <see cref="CryptoJob"/>s with a bounded queue: a job beyond
/// <see cref="Capacity"/> waiting jobs is refused at once (the engine sheds it, see <see cref="IkeEngine.RunCrypto"/>),
/// so a flood of IKE_SA_INIT cannot grow memory or delay the engine. Finished jobs go back to the engine's thread
/// through <c>post</c> (the daemon's engine loop); the engine thread never waits for a worker.
/// </summary>
public sealed class CryptoWorkerPool : ICryptoExecutor, IDisposable
{
    private readonly ConcurrentQueue<(CryptoJob Job, Action<CryptoJob> Done)> _queue = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly Action<Action> _post;
    private readonly Thread[] _threads;
    private int _waiting;
    private long _refused, _completed;
    private volatile bool _stopping;

    /// <param name="workers">Worker threads (at least 1).</param>
    /// <param name="capacity">Jobs that may wait for a worker; more are refused.</param>
    /// <param name="post">Runs an action on the engine's thread; false when that thread is gone (the result is dropped).</param>
    public CryptoWorkerPool(int workers, int capacity, Action<Action> post)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _post = post;
        _threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"petrel-crypto-{i}" };
            _threads[i].Start();
        }
    }

    public int Capacity { get; }
    public int Workers => _threads.Length;

    /// <summary>Jobs waiting for a worker now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public long Refused => Interlocked.Read(ref _refused);
    public long Completed => Interlocked.Read(ref _completed);

    public bool TryRun(CryptoJob job, Action<CryptoJob> done)
    {
        if (_stopping) return false;
        if (Interlocked.Increment(ref _waiting) > Capacity)
        {
            Interlocked.Decrement(ref _waiting);
            Interlocked.Increment(ref _refused);
            return false;
        }
        _queue.Enqueue((job, done));
        _ready.Release();
        return true;
    }

    private void Work()
    {
        while (true)
        {
            _ready.Wait();
            if (_stopping) return;
            if (!_queue.TryDequeue(out var item)) continue;
            Interlocked.Decrement(ref _waiting);
            item.Job.Execute();
            Interlocked.Increment(ref _completed);
            var (job, done) = item;
            _post(() => done(job));
        }
    }

    /// <summary>Stops the workers; jobs still queued are dropped (the engine is stopping too).</summary>
    public void Dispose()
    {
        _stopping = true;
        _ready.Release(_threads.Length);
        foreach (var t in _threads)
            t.Join(TimeSpan.FromSeconds(5));
        _ready.Dispose();
    }
}
