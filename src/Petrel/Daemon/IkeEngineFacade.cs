using System.Net;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;

namespace Petrel.Daemon;

/// <summary>The real engine behind <see cref="IEngineFacade"/>.</summary>
public sealed class IkeEngineFacade(IkeEngine engine) : IEngineFacade
{
    public void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets) => engine.Load(connections, secrets);
    public void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets, CertificateStore? credentials) =>
        engine.Load(connections, secrets, credentials);
    public IReadOnlyList<ConnectionConfig> Connections => engine.Connections;
    public void UseCrlFetcher(ICrlFetcher fetcher) => engine.CrlFetcher = fetcher;
    public void UseRadius(Petrel.Ike.Radius.RadiusService? radius) => engine.Radius = radius;
    public Petrel.Ike.Radius.DaeAnswer ApplyDae(Petrel.Ike.Radius.DaeRequest request) => engine.ApplyDae(request);
    public void UseCryptoExecutor(ICryptoExecutor executor) => engine.CryptoExecutor = executor;
    public void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message) => engine.Receive(local, remote, message);
    public void Tick() => engine.Tick();
    public TimeSpan? NextDeadline => engine.NextDeadline;
    public void Initiate(string connection, string? child, Action<InitiateResult> done) => engine.Initiate(connection, child, done);
    public void Terminate(string connection, string? child, Action<InitiateResult> done) => engine.Terminate(connection, child, done);
    public IReadOnlyList<IkeSaInfo> ListSas() => engine.ListSas();
    public IkeCounters Counters => new(engine.DroppedDatagrams, engine.IntegrityFailures, engine.DroppedByLimits,
        engine.CryptoShed, engine.CryptoWaiting, engine.CryptoCapacity);
    public IReadOnlyList<IkeV2KeyExport> ExportIkeKeys() => engine.ExportIkeKeys();
    public IReadOnlyList<EspKeyExport> ExportEspKeys() => engine.ExportEspKeys();
    public void HandleAcquire(Petrel.DataPlane.Kernel.AcquireEvent acquire) => engine.HandleAcquire(acquire);

    public void HandleSequenceExhaustion(Petrel.DataPlane.Kernel.SequenceExhaustionEvent exhaustion) => engine.HandleSequenceExhaustion(exhaustion);
    public IReadOnlyList<TrapPolicyInfo> ListTraps() => engine.ListTraps();
    public InitiateResult Route(string connection, string? child) => engine.Route(connection, child);
    public int Unroute(string connection, string? child) => engine.Unroute(connection, child);
    public bool TerminateIke(uint ikeSaId, Action<InitiateResult> done) => engine.TerminateIke(ikeSaId, done);
    public bool TerminateChild(uint childId, Action<InitiateResult> done) => engine.TerminateChild(childId, done);

    public int FlushCrlCache()
    {
        int n = engine.CrlCache.Count;
        engine.CrlCache.Clear();
        return n;
    }
    public bool RekeyChild(uint childId) => engine.RekeyChild(childId);
    public bool RekeyIke(uint ikeSaId) => engine.RekeyIke(ikeSaId);
    public bool Reauthenticate(uint ikeSaId) => engine.Reauthenticate(ikeSaId);
    public void UseEventFeed(Action<SaEvent> sink) => engine.Events = sink;
    public IkeActivity? Activity() => engine.Activity();
    public Petrel.Ike.Pools.AddressPoolSet? Pools => engine.Pools;
}
