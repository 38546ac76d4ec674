using System.Net;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;

namespace Petrel.Daemon;

/// <summary>
/// What the daemon needs from the IKE engine: <see cref="IkeEngine"/>'s public API as an
/// interface, so the control socket and event loop can be tested without sockets, TUN or root.
/// Like the engine, not thread-safe: only <see cref="EngineLoop"/> calls it.
/// </summary>
public interface IEngineFacade
{
    void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets);

    /// <summary>Load with the certificates, keys and CRLs of the config directory (auth = pubkey).</summary>
    void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets, CertificateStore? credentials) => Load(connections, secrets);
    IReadOnlyList<ConnectionConfig> Connections { get; }
    void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message);
    void Tick();
    TimeSpan? NextDeadline { get; }
    void Initiate(string connection, string? child, Action<InitiateResult> done);
    void Terminate(string connection, string? child, Action<InitiateResult> done);
    IReadOnlyList<IkeSaInfo> ListSas();
    IReadOnlyList<IkeV2KeyExport> ExportIkeKeys();
    IReadOnlyList<EspKeyExport> ExportEspKeys();

    /// <summary>Fetches CRLs from distribution points for the engine (<see cref="IkeEngine.CrlFetcher"/>).</summary>
    void UseCrlFetcher(ICrlFetcher fetcher) { }

    /// <summary>EAP-RADIUS and accounting for the engine (<see cref="IkeEngine.Radius"/>).</summary>
    void UseRadius(Petrel.Ike.Radius.RadiusService? radius) { }

    /// <summary>RFC 5176 Disconnect/CoA (<see cref="IkeEngine.ApplyDae"/>): how many IKE SAs matched.</summary>
    Petrel.Ike.Radius.DaeAnswer ApplyDae(Petrel.Ike.Radius.DaeRequest request) => default;

    /// <summary>Runs the engine's key exchanges and key derivations off its thread (<see cref="IkeEngine.CryptoExecutor"/>).</summary>
    void UseCryptoExecutor(ICryptoExecutor executor) { }

    /// <summary>Traffic hit a trap policy (RFC 4301 §5.1 acquire): negotiate its CHILD_SA.</summary>
    void HandleAcquire(Petrel.DataPlane.Kernel.AcquireEvent acquire) { }

    void HandleSequenceExhaustion(Petrel.DataPlane.Kernel.SequenceExhaustionEvent exhaustion) { }

    /// <summary>Datagrams the engine dropped (malformed, unknown SPI, …), of those the failed integrity checks, and IKE_SA_INIT dropped by the half-open limits.</summary>
    IkeCounters Counters => default;

    /// <summary>Starts rekeying the CHILD_SA with this unique id now; false when it is not installed or already rekeying.</summary>
    bool RekeyChild(uint childId) => false;

    /// <summary>Starts rekeying the IKE SA with this unique id now; false when it is not established or already rekeying.</summary>
    bool RekeyIke(uint ikeSaId) => false;

    /// <summary>Starts a make-before-break reauthentication of the IKE SA now; false when it is not established.</summary>
    bool Reauthenticate(uint ikeSaId) => false;

    /// <summary>Starts rekeying the connection's IKE SAs (child null) or its CHILD_SAs named child; the result says how many started.</summary>
    InitiateResult Rekey(string connection, string? child)
    {
        int started = 0, found = 0;
        foreach (var sa in ListSas())
        {
            if (sa.Name != connection) continue;
            if (child is null)
            {
                found++;
                if (RekeyIke(sa.UniqueId)) started++;
                continue;
            }
            foreach (var c in sa.Children)
            {
                if (c.Name != child) continue;
                found++;
                if (RekeyChild(c.UniqueId)) started++;
            }
        }
        string what = child is null ? $"IKE_SA of '{connection}'" : $"CHILD_SA '{child}' of '{connection}'";
        if (found == 0) return new InitiateResult(false, $"no {what}");
        return started > 0 ? new InitiateResult(true, $"rekeying {started} {what}") : new InitiateResult(false, $"{what} is not established or is rekeying already");
    }

    /// <summary>Hands every SA event to <paramref name="sink"/> on the engine thread (<see cref="IkeEngine.Events"/>).</summary>
    void UseEventFeed(Action<SaEvent> sink) { }

    /// <summary>Exchanges, retransmits, failures by part, rekeys, half-open SAs (<see cref="IkeEngine.Activity"/>).</summary>
    IkeActivity? Activity() => null;

    /// <summary>The address pools (thread-safe: list-pools reads them off the engine thread); null without an engine.</summary>
    Petrel.Ike.Pools.AddressPoolSet? Pools => null;

    /// <summary>Installed trap policies (list-pols).</summary>
    IReadOnlyList<TrapPolicyInfo> ListTraps() => [];

    /// <summary>Installs trap policies for a connection's children (all, or the named one) until <see cref="Unroute"/> (vici install).</summary>
    InitiateResult Route(string connection, string? child) => new(false, "trap policies need the IKE engine");

    /// <summary>Removes the trap policies of a connection's children (all, or the named one); how many went.</summary>
    int Unroute(string connection, string? child) => 0;

    /// <summary>Deletes the IKE SA with this unique id; false (done not called) when there is none.</summary>
    bool TerminateIke(uint ikeSaId, Action<InitiateResult> done) => false;

    /// <summary>Deletes the installed CHILD_SA with this unique id; false (done not called) when there is none.</summary>
    bool TerminateChild(uint childId, Action<InitiateResult> done) => false;

    /// <summary>Forgets the CRLs fetched from distribution points (vici flush-certs); how many were cached.</summary>
    int FlushCrlCache() => 0;
}
