using Microsoft.Extensions.Logging;
using Petrel.Config;

namespace Petrel.Daemon;

/// <summary>
/// The production platform: TUN device, routes, UDP 500/4500 sockets, the userspace data plane
/// and the IKE engine. Needs root (CAP_NET_ADMIN for TUN, CAP_NET_BIND_SERVICE for port 500).
/// </summary>
public sealed class SystemPlatform : IDaemonPlatform
{
    public IEngineFacade CreateEngine(DaemonSettings settings, ILoggerFactory loggers) =>
        throw new DaemonStartException("the system platform (TUN, UDP sockets, data plane) is not wired up yet");

    public void Start(EngineLoop loop)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
