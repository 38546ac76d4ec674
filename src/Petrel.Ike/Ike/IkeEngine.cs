using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Config;

namespace Petrel.Ike;

/// <summary>Daemon-wide IKE settings (from the petrel { } section).</summary>
public sealed class IkeEngineOptions
{
    /// <summary>Retransmission: RFC 7296 §2.1 exponential back-off, strongSwan defaults (4 s × 1.8^n, 5 tries).</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public double RetransmitBase { get; init; } = 1.8;
    public int RetransmitTries { get; init; } = 5;

    /// <summary>Half-open IKE SAs above which a responder asks for a COOKIE.</summary>
    public int CookieThreshold { get; init; } = 30;

    public int IkePort { get; init; } = 500;
    public int NatTPort { get; init; } = 4500;
}

/// <summary>Result of an initiate request, delivered once the IKE and CHILD SA are up or failed.</summary>
public sealed record InitiateResult(bool Success, string Message, uint IkeSaId = 0);

/// <summary>
/// The IKE daemon core: all IKE SAs, connections and their exchanges. Not thread-safe: the daemon
/// serializes every call on one thread. Takes bytes, time and randomness as inputs, so tests run
/// two engines in one process over an in-memory network with a virtual clock.
/// </summary>
public sealed class IkeEngine
{
    public IkeEngine(IkeEngineOptions options, IIpsecKernel kernel, IIkeTransport transport, IClock clock, IRandom random, ILoggerFactory loggerFactory)
    {
        throw new NotImplementedException();
    }

    /// <summary>Loads (or reloads) connections and secrets. SAs of connections that still exist unchanged are kept.</summary>
    public void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets) => throw new NotImplementedException();

    public IReadOnlyList<ConnectionConfig> Connections => throw new NotImplementedException();

    /// <summary>A datagram arrived (non-ESP marker already stripped on port 4500).</summary>
    public void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message) => throw new NotImplementedException();

    /// <summary>Runs due timers (retransmits, keepalives, DPD, lifetimes). Call often (the daemon: every 50–100 ms).</summary>
    public void Tick() => throw new NotImplementedException();

    /// <summary>The earliest pending timer, if any, so a host may sleep until then.</summary>
    public TimeSpan? NextDeadline => throw new NotImplementedException();

    /// <summary>Initiates a connection (and the named child, or all its children). done is called exactly once.</summary>
    public void Initiate(string connection, string? child, Action<InitiateResult> done) => throw new NotImplementedException();

    /// <summary>Deletes the CHILD_SA (child given) or the whole IKE SA of a connection. done is called once finished.</summary>
    public void Terminate(string connection, string? child, Action<InitiateResult> done) => throw new NotImplementedException();

    public IReadOnlyList<IkeSaInfo> ListSas() => throw new NotImplementedException();

    public IReadOnlyList<IkeV2KeyExport> ExportIkeKeys() => throw new NotImplementedException();

    public IReadOnlyList<EspKeyExport> ExportEspKeys() => throw new NotImplementedException();
}
