using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Daemon;

namespace Petrel.Tests.Daemon;

/// <summary>A platform without TUN or sockets, handing the daemon a <see cref="FakeEngine"/>.</summary>
public sealed class FakePlatform(FakeEngine engine) : IDaemonPlatform
{
    public EngineLoop? Loop { get; private set; }
    public bool Disposed { get; private set; }

    public IEngineFacade CreateEngine(DaemonSettings settings, ILoggerFactory loggers) => engine;

    public void Start(EngineLoop loop, Action<string> failed) => Loop = loop;

    public Petrel.DataPlane.Kernel.IIpsecKernel? Kernel => null;

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
