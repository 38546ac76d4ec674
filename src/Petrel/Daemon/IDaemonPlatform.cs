using Microsoft.Extensions.Logging;
using Petrel.Config;

namespace Petrel.Daemon;

/// <summary>
/// The operating-system side of the daemon: the IKE engine with its data plane (TUN, routes) and
/// its UDP 500/4500 sockets. The production platform needs root; tests supply one without
/// sockets or TUN so the daemon and its control socket run unprivileged.
/// </summary>
public interface IDaemonPlatform : IAsyncDisposable
{
    /// <summary>Builds the engine wired to this platform's data plane and transport.</summary>
    IEngineFacade CreateEngine(DaemonSettings settings, ILoggerFactory loggers);

    /// <summary>Starts delivering received IKE datagrams to the engine through the loop.</summary>
    void Start(EngineLoop loop);
}
