using Microsoft.Extensions.Hosting;

namespace Petrel.Daemon;

/// <summary>
/// Runs <see cref="PetrelDaemon"/> under Microsoft.Extensions.Hosting: the host's console
/// lifetime turns SIGTERM/SIGINT into <see cref="StopAsync"/>, which deletes the SAs within a
/// bounded wait before the process exits 0.
/// </summary>
public sealed class DaemonService(PetrelDaemon daemon) : IHostedService
{
    /// <summary>How long shutdown waits for peers to acknowledge the deletes.</summary>
    public static readonly TimeSpan DeleteWait = TimeSpan.FromSeconds(5);

    public Task StartAsync(CancellationToken cancellationToken) => daemon.StartAsync();

    public Task StopAsync(CancellationToken cancellationToken) => daemon.StopAsync(DeleteWait);
}
