using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Petrel.Daemon;

/// <summary>
/// Runs updown commands one after another on its own task, never on the engine thread: each through
/// /bin/sh -c with stderr joined to stdout (for the whole command line), only PATH and the PLUTO_* variables in its environment (as charon
/// does), its output logged line by line, and killed after <see cref="Timeout"/>. A failure (cannot start,
/// non-zero exit, timeout) is one warning line; nothing a script does reaches the daemon otherwise.
/// The queue is bounded: calls beyond <see cref="Capacity"/> waiting are dropped with a warning.
/// </summary>
public sealed class UpdownRunner : IAsyncDisposable
{
    public const int Capacity = 4096;
    /// <summary>Output lines logged per call; the rest are counted in one line.</summary>
    public const int MaxLoggedLines = 32;

    public sealed record Call(string Command, string What, IReadOnlyList<KeyValuePair<string, string>> Environment);

    private readonly Channel<Call> _queue = Channel.CreateBounded<Call>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ILogger _log;
    private readonly Task _worker;
    private long _done;

    public UpdownRunner(ILogger log, TimeSpan? timeout = null)
    {
        _log = log;
        Timeout = timeout ?? TimeSpan.FromSeconds(30);
        _worker = Task.Run(WorkAsync);
    }

    public TimeSpan Timeout { get; }

    /// <summary>Calls finished (whatever their outcome).</summary>
    public long Completed => Interlocked.Read(ref _done);

    /// <summary>Queues a call (any thread, never blocks).</summary>
    public void Enqueue(Call call)
    {
        if (!_queue.Writer.TryWrite(call))
            _log.LogWarning("updown: {Capacity} calls are waiting already, {What} is not run", Capacity, call.What);
    }

    private async Task WorkAsync()
    {
        await foreach (var call in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await RunAsync(call).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _log.LogWarning("updown: {What} failed: {Error}", call.What, ex.Message);
            }
            Interlocked.Increment(ref _done);
        }
    }

    private async Task RunAsync(Call call)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec 2>&1; " + call.Command);
        info.Environment.Clear();
        foreach (var (key, value) in call.Environment)
            info.Environment[key] = value;

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            _log.LogWarning("updown: cannot start '{Command}' for {What}: {Error}", call.Command, call.What, ex.Message);
            return;
        }
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(Timeout);
        int lines = 0;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
            {
                if (++lines <= MaxLoggedLines)
                    _log.LogInformation("updown: {Line}", line);
            }
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _log.LogWarning("updown: '{Command}' for {What} still ran after {Seconds:0.#} s and was killed", call.Command, call.What, Timeout.TotalSeconds);
            return;
        }
        if (lines > MaxLoggedLines)
            _log.LogInformation("updown: {Count} more output lines of {What} not logged", lines - MaxLoggedLines, call.What);
        if (process.ExitCode != 0)
            _log.LogWarning("updown: '{Command}' for {What} exited with status {Code}", call.Command, call.What, process.ExitCode);
    }

    /// <summary>Lets the queued calls run (down scripts at shutdown) for at most <paramref name="bound"/>, then stops.</summary>
    public async Task DrainAsync(TimeSpan bound)
    {
        _queue.Writer.TryComplete();
        await Task.WhenAny(_worker, Task.Delay(bound)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await DrainAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
}
