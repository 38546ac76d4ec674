using Microsoft.Extensions.Hosting;

namespace Petrel.Daemon;

/// <summary>
/// Runs <see cref="PetrelDaemon"/> under Microsoft.Extensions.Hosting: the host's console
/// lifetime turns SIGTERM/SIGINT into <see cref="StopAsync"/>, which deletes the SAs within a
/// bounded wait before the process exits 0 (1 after a platform failure, <see cref="PetrelDaemon.Failure"/>).
/// </summary>
public sealed class DaemonService(PetrelDaemon daemon, IHostApplicationLifetime lifetime) : IHostedService
{
    /// <summary>How long shutdown waits for peers to acknowledge the deletes.</summary>
    public static readonly TimeSpan DeleteWait = TimeSpan.FromSeconds(5);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A platform failure (TUN device deleted) ends the process like SIGTERM does, then exits 1.
        daemon.RequestStop = lifetime.StopApplication;
        return daemon.StartAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => daemon.StopAsync(DeleteWait);
}
