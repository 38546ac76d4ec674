using System.Runtime.ExceptionServices;
using Petrel.DataPlane.Esp;

namespace Petrel.Platform.Host;

/// <summary>
/// Fork-join for one packet thread: <see cref="Run"/> splits a batch (the segments of one TCP
/// super-segment, the datagrams of one UDP GRO receive) into contiguous slices, runs the first on
/// the calling thread and the others on helper threads, and returns when all are done, so the
/// caller then sends or writes the results in their original order. Helper k uses SA context lane
/// k (<see cref="PacketLane"/>); the caller keeps lane 0. Waiting spins briefly, then sleeps
/// (<see cref="ManualResetEventSlim"/>); nothing is allocated per batch. With one worker it runs
/// everything on the caller: today's single-threaded behaviour.
/// </summary>
public sealed class PacketWorkerPool : IDisposable
{
    private readonly ManualResetEventSlim[] _starts;
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim _done = new(false);
    private IPartitionedWork? _work;
    private int _count;
    private int _slices;
    private int _pending;
    private volatile bool _stopping;
    private ExceptionDispatchInfo? _failure;
    private readonly Action? _onStart;

    /// <param name="workers">Threads per batch, the caller included.</param>
    /// <param name="name">Helper threads are named "name #k".</param>
    /// <param name="onStart">Run first on each helper thread (e.g. to set its priority).</param>
    public PacketWorkerPool(int workers, string name, Action? onStart = null)
    {
        _onStart = onStart;
        int helpers = Math.Max(1, workers) - 1;
        _starts = new ManualResetEventSlim[helpers];
        _threads = new Thread[helpers];
        for (int i = 0; i < helpers; i++)
        {
            int index = i + 1;
            _starts[i] = new ManualResetEventSlim(false);
            _threads[i] = new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"{name} #{index}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads working on a batch, the caller included.</summary>
    public int Workers => _threads.Length + 1;

    /// <summary>Batches split over more than one thread.</summary>
    public long ParallelBatches { get; private set; }

    /// <summary>
    /// Runs work over items [0, count) on up to <see cref="Workers"/> threads (never more slices
    /// than minItemsPerSlice allows) and waits for all of them. An exception thrown on a helper is
    /// rethrown here.
    /// </summary>
    public void Run(IPartitionedWork work, int count, int minItemsPerSlice = 2)
    {
        int slices = Math.Min(Workers, count / Math.Max(1, minItemsPerSlice));
        if (slices <= 1 || _stopping)
        {
            work.Run(0, 0, count);
            return;
        }
        _work = work;
        _count = count;
        _slices = slices;
        _failure = null;
        _done.Reset();
        Volatile.Write(ref _pending, slices - 1);
        for (int i = 1; i < slices; i++)
            _starts[i - 1].Set();
        try
        {
            work.Run(0, 0, End(0));
        }
        finally
        {
            // The helpers use the caller's buffers: never return before they are finished.
            _done.Wait();
            _work = null;
        }
        ParallelBatches++;
        _failure?.Throw();
    }

    private int Start(int slice) => (int)((long)_count * slice / _slices);

    private int End(int slice) => Start(slice + 1);

    private void HelperLoop(int index)
    {
        PacketLane.Current = index;
        _onStart?.Invoke();
        var start = _starts[index - 1];
        while (true)
        {
            start.Wait();
            start.Reset();
            if (_stopping)
                return;
            try
            {
                _work!.Run(index, Start(index), End(index));
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            if (Interlocked.Decrement(ref _pending) == 0)
                _done.Set();
        }
    }

    /// <summary>Stops the helpers (call when no <see cref="Run"/> is in progress).</summary>
    public void Dispose()
    {
        _stopping = true;
        foreach (var start in _starts)
            start.Set();
        foreach (var thread in _threads)
            thread.Join(TimeSpan.FromSeconds(2));
    }
}
