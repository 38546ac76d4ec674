using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Petrel.Ike;

namespace Petrel.Daemon;

/// <summary>
/// The one thread that touches the IKE engine. Sockets, the control socket and signals post
/// work items into a channel; the loop runs them in order and calls <see cref="IEngineFacade.Tick"/>
/// at least every <see cref="TickInterval"/>. An exception in one item is logged and the loop goes
/// on, so a bad packet or a bug in one exchange cannot stop the daemon.
/// </summary>
public sealed class EngineLoop : IAsyncDisposable
{
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);

    private readonly IEngineFacade _engine;
    private readonly ILogger _log;
    private readonly Channel<Action<IEngineFacade>> _work = Channel.CreateUnbounded<Action<IEngineFacade>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private string? _lastTickError;

    public EngineLoop(IEngineFacade engine, ILogger<EngineLoop> log)
    {
        _engine = engine;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "petrel-ike" };
    }

    public void Start() => _thread.Start();

    /// <summary>Queues work for the engine thread. Returns false once the loop is stopping.</summary>
    public bool Post(Action<IEngineFacade> work) => !_stopping && _work.Writer.TryWrite(work);

    /// <summary>Runs a function on the engine thread and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<IEngineFacade, T> func)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(engine =>
            {
                try { tcs.TrySetResult(func(engine)); }
                catch (Exception e) { tcs.TrySetException(e); }
            }))
            tcs.TrySetException(new InvalidOperationException("the daemon is shutting down"));
        return tcs.Task;
    }

    /// <summary>
    /// Starts an engine operation that reports through a callback (initiate, terminate) and
    /// completes when the callback runs.
    /// </summary>
    public Task<InitiateResult> RunOperationAsync(Action<IEngineFacade, Action<InitiateResult>> start)
    {
        var tcs = new TaskCompletionSource<InitiateResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(engine =>
            {
                try { start(engine, r => tcs.TrySetResult(r)); }
                catch (Exception e) { tcs.TrySetException(e); }
            }))
            tcs.TrySetException(new InvalidOperationException("the daemon is shutting down"));
        return tcs.Task;
    }

    private void Run()
    {
        var reader = _work.Reader;
        try
        {
            while (true)
            {
                while (reader.TryRead(out var work))
                {
                    try
                    {
                        work(_engine);
                    }
                    catch (Exception e)
                    {
                        _log.LogError(e, "engine work item failed: {Error}", e.Message);
                    }
                }
                if (reader.Completion.IsCompleted)
                    break;
                Tick();
                // Sleep until more work arrives or the next tick is due.
                try
                {
                    reader.WaitToReadAsync().AsTask().Wait(TickInterval);
                }
                catch (AggregateException)
                {
                }
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Tick()
    {
        try
        {
            _engine.Tick();
            _lastTickError = null;
        }
        catch (Exception e)
        {
            // Log a failing timer once, not twenty times a second.
            if (_lastTickError != e.Message)
                _log.LogError(e, "engine timer failed: {Error}", e.Message);
            _lastTickError = e.Message;
        }
    }

    /// <summary>Stops accepting work, runs what is queued, and ends the thread.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        _work.Writer.TryComplete();
        if (_thread.IsAlive || _thread.ThreadState != ThreadState.Unstarted)
            await _stopped.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
