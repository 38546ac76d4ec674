using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.DataPlane.Kernel;

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

    /// <summary>
    /// Starts delivering received IKE datagrams to the engine through the loop. <paramref name="failed"/> is
    /// called (once, on any thread) with a one-line reason when the platform can no longer carry traffic,
    /// e.g. its TUN device was deleted: the daemon then exits non-zero.
    /// </summary>
    void Start(EngineLoop loop, Action<string> failed);

    /// <summary>
    /// The data plane behind the engine, for per-SA drop counters in list-sas (thread-safe reads);
    /// null when the platform has none.
    /// </summary>
    IIpsecKernel? Kernel { get; }

    /// <summary>The route-based interfaces' addresses and carrier; null when the platform has no devices.</summary>
    IInterfaceLinks? Links => null;
}
