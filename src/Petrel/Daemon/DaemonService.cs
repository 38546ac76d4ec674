using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Petrel.Daemon;

/// <summary>
/// Runs <see cref="PetrelDaemon"/> under Microsoft.Extensions.Hosting: the host's console
/// lifetime turns SIGTERM/SIGINT into <see cref="StopAsync"/>, which deletes the SAs within a
/// bounded wait before the process exits 0 (1 after a platform failure, <see cref="PetrelDaemon.Failure"/>).
/// Under systemd (Type=notify) it says READY=1 once the daemon serves, STOPPING=1 when it begins to stop,
/// and WATCHDOG=1 while the engine thread still answers, so a hung engine gets the service restarted.
/// SIGHUP re-reads the configuration as `petrel reload` does (charon's SIGHUP reloads its settings likewise),
/// telling systemd RELOADING=1 and then READY=1.
/// </summary>
public sealed class DaemonService(PetrelDaemon daemon, IHostApplicationLifetime lifetime, SystemdNotifier notifier, ILogger<DaemonService> log) : IHostedService
{
    /// <summary>How long shutdown waits for peers to acknowledge the deletes.</summary>
    public static readonly TimeSpan DeleteWait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private Task _watchdog = Task.CompletedTask;
    private PosixSignalRegistration? _hangup;
    private int _reloading;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A platform failure (TUN device deleted) ends the process like SIGTERM does, then exits 1.
        daemon.RequestStop = lifetime.StopApplication;
        await daemon.StartAsync().ConfigureAwait(false);
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup);
        if (!notifier.Active)
            return;
        notifier.Notify($"READY=1\nSTATUS=running, {daemon.Config.Connections.Count} connection(s) loaded\nMAINPID={Environment.ProcessId}");
        log.LogInformation("told systemd the daemon is ready ({Socket}){Watchdog}", notifier.SocketName,
            notifier.WatchdogInterval is { } w ? $"; watchdog every {w.TotalSeconds:0.###} s" : "");
        if (notifier.WatchdogInterval is { } interval)
            _watchdog = WatchdogAsync(interval, _stop.Token);
    }

    /// <summary>SIGHUP: one reload at a time, off the signal thread; a SIGHUP during a reload is logged and ignored.</summary>
    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true; // not the runtime's default (terminate)
        if (Interlocked.Exchange(ref _reloading, 1) == 1)
        {
            log.LogWarning("SIGHUP: a reload is running already; ignored");
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                log.LogInformation("SIGHUP: reloading {Path}", daemon.Config.Path);
                notifier.Notify("RELOADING=1\nSTATUS=reloading the configuration");
                var result = await daemon.ReloadAsync().ConfigureAwait(false);
                notifier.Notify($"READY=1\nSTATUS=running, {daemon.Config.Connections.Count} connection(s) loaded{(result.Ok ? "" : "; the last reload failed")}");
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                log.LogWarning("SIGHUP: reload failed: {Error}", e.Message);
            }
            finally
            {
                Volatile.Write(ref _reloading, 0);
            }
        });
    }

    /// <summary>
    /// WATCHDOG=1 at half the interval, each time only after the engine thread has run a no-op: a daemon whose
    /// engine is stuck stops feeding the watchdog and systemd restarts it (Restart=on-failure / on-watchdog).
    /// </summary>
    private async Task WatchdogAsync(TimeSpan interval, CancellationToken cancel)
    {
        var period = interval / 2;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                try
                {
                    await daemon.Loop.InvokeAsync(_ => 0).WaitAsync(period, cancel).ConfigureAwait(false);
                    notifier.Notify("WATCHDOG=1");
                }
                catch (TimeoutException)
                {
                    log.LogWarning("the engine thread did not answer within {Seconds:0.###} s: not feeding systemd's watchdog", period.TotalSeconds);
                }
                await Task.Delay(period, cancel).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _hangup?.Dispose();
        notifier.Notify("STOPPING=1\nSTATUS=deleting the SAs");
        _stop.Cancel();
        await _watchdog.ConfigureAwait(false);
        await daemon.StopAsync(DeleteWait).ConfigureAwait(false);
        _stop.Dispose();
    }
}
