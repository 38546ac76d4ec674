using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;

namespace Petrel.Daemon;

/// <summary>
/// The one thread that touches the IKE engine. The control socket, CRL fetches and acquires post work
/// items into a channel; IKE datagrams come through the bounded <see cref="IkeIngress"/> (see there why
/// it has three lanes). Each round runs the queued work, then at most <see cref="MaxDatagramsPerRound"/>
/// datagrams, and calls <see cref="IEngineFacade.Tick"/> every <see cref="TickInterval"/> (not once per
/// datagram: under a flood the timers still cost the same). An exception in one item is logged and the
/// loop goes on, so a bad packet or a bug in one exchange cannot stop the daemon.
/// </summary>
public sealed class EngineLoop : IAsyncDisposable
{
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);
    public const int MaxDatagramsPerRound = 256;
    private static readonly TimeSpan ShedReportInterval = TimeSpan.FromSeconds(10);

    private readonly IEngineFacade _engine;
    private readonly ILogger _log;
    private readonly Channel<Action<IEngineFacade>> _work = Channel.CreateUnbounded<Action<IEngineFacade>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IkeIngress _ingress;
    private readonly Action<IPEndPoint, IPEndPoint, ReadOnlySpan<byte>> _receive;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _thread;
    private long _newSaReported, _saReported, _shedReportedAt;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private string? _lastTickError;

    public EngineLoop(IEngineFacade engine, ILogger<EngineLoop> log, IkeIngress? ingress = null)
    {
        _engine = engine;
        _log = log;
        _ingress = ingress ?? new IkeIngress();
        _receive = Receive;
        _thread = new Thread(Run) { IsBackground = true, Name = "petrel-ike" };
    }

    public void Start() => _thread.Start();

    /// <summary>Queues work for the engine thread. Returns false once the loop is stopping.</summary>
    public bool Post(Action<IEngineFacade> work)
    {
        if (_stopping || !_work.Writer.TryWrite(work)) return false;
        _wake.Set();
        return true;
    }

    /// <summary>On a socket thread: queues a copy of an IKE datagram. False when it was shed (its lane is full) or the loop stops.</summary>
    public bool PostDatagram(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        if (_stopping || !_ingress.TryEnqueue(local, remote, message)) return false;
        _wake.Set();
        return true;
    }

    public IkeIngress Ingress => _ingress;

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
        long lastTick = 0;
        try
        {
            while (true)
            {
                _wake.Reset();
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
                int handled = _ingress.Drain(MaxDatagramsPerRound, _receive);
                if (reader.Completion.IsCompleted)
                    break;
                var sinceTick = Stopwatch.GetElapsedTime(lastTick);
                if (sinceTick >= TickInterval)
                {
                    Tick();
                    lastTick = Stopwatch.GetTimestamp();
                    sinceTick = TimeSpan.Zero;
                }
                // Sleep until more work arrives or the next tick is due; a full batch means more is waiting.
                if (handled < MaxDatagramsPerRound)
                    _wake.Wait(TickInterval - sinceTick);
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        try
        {
            _engine.Receive(local, remote, message);
        }
        catch (Exception e)
        {
            _log.LogError(e, "engine receive failed: {Error}", e.Message);
        }
    }

    private void Tick()
    {
        ReportShed();
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

    /// <summary>One line per <see cref="ShedReportInterval"/> while datagrams are shed, never one per datagram.</summary>
    private void ReportShed()
    {
        if (Stopwatch.GetElapsedTime(_shedReportedAt) < ShedReportInterval) return;
        _shedReportedAt = Stopwatch.GetTimestamp();
        long newSa = _ingress.ShedNewSa, sa = _ingress.ShedSa;
        if (newSa == _newSaReported && sa == _saReported) return;
        _log.LogWarning("IKE ingress queue full: shed {NewSa} requests for new IKE SAs and {Sa} messages of existing ones in the last {Seconds} s (in total {TotalNewSa} and {TotalSa})",
            newSa - _newSaReported, sa - _saReported, (int)ShedReportInterval.TotalSeconds, newSa, sa);
        _newSaReported = newSa;
        _saReported = sa;
    }

    /// <summary>Stops accepting work, runs what is queued, and ends the thread.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        _work.Writer.TryComplete();
        _wake.Set();
        if (_thread.IsAlive || _thread.ThreadState != System.Threading.ThreadState.Unstarted)
            await _stopped.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
