using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Sad;

/// <summary>
/// The SAD (RFC 4301 §4.4.2): inbound SAs by SPI, outbound SAs by SPI and by ReqId. Like the
/// SPD it is copy-on-write: installs and removals build new tables, packet threads read the
/// current ones without locking.
/// </summary>
internal sealed class SecurityAssociationDatabase
{
    private sealed record Snapshot(
        Dictionary<uint, EspSa> Inbound,
        Dictionary<uint, EspSa> Outbound,
        Dictionary<uint, EspSa> OutboundByReqId);

    private readonly Lock _writeLock = new();
    private volatile Snapshot _snapshot = new([], [], []);

    public EspSa? FindInbound(uint spi) => _snapshot.Inbound.GetValueOrDefault(spi);

    public EspSa? Find(uint spi, SaDirection direction) =>
        (direction == SaDirection.Inbound ? _snapshot.Inbound : _snapshot.Outbound).GetValueOrDefault(spi);

    /// <summary>The outbound SA traffic of a policy leaves through: the one installed last (make-before-break rekeying).</summary>
    public EspSa? FindOutbound(uint reqId) => _snapshot.OutboundByReqId.GetValueOrDefault(reqId);

    public bool ContainsInbound(uint spi) => _snapshot.Inbound.ContainsKey(spi);

    /// <summary>Adds an SA; returns an SA with the same SPI and direction that it replaced (to be disposed).</summary>
    public EspSa? Add(EspSa sa)
    {
        lock (_writeLock)
        {
            var old = _snapshot;
            EspSa? replaced;
            if (sa.Direction == SaDirection.Inbound)
            {
                var inbound = new Dictionary<uint, EspSa>(old.Inbound);
                inbound.TryGetValue(sa.Spi, out replaced);
                inbound[sa.Spi] = sa;
                _snapshot = old with { Inbound = inbound };
            }
            else
            {
                var outbound = new Dictionary<uint, EspSa>(old.Outbound);
                outbound.TryGetValue(sa.Spi, out replaced);
                outbound[sa.Spi] = sa;
                var byReqId = new Dictionary<uint, EspSa>(old.OutboundByReqId) { [sa.ReqId] = sa };
                _snapshot = new Snapshot(old.Inbound, outbound, byReqId);
            }
            return replaced;
        }
    }

    public EspSa? Remove(uint spi, SaDirection direction)
    {
        lock (_writeLock)
        {
            var old = _snapshot;
            if (direction == SaDirection.Inbound)
            {
                if (!old.Inbound.TryGetValue(spi, out var removed))
                    return null;
                var inbound = new Dictionary<uint, EspSa>(old.Inbound);
                inbound.Remove(spi);
                _snapshot = old with { Inbound = inbound };
                return removed;
            }
            else
            {
                if (!old.Outbound.TryGetValue(spi, out var removed))
                    return null;
                var outbound = new Dictionary<uint, EspSa>(old.Outbound);
                outbound.Remove(spi);
                var byReqId = new Dictionary<uint, EspSa>(old.OutboundByReqId);
                if (byReqId.TryGetValue(removed.ReqId, out var current) && ReferenceEquals(current, removed))
                {
                    // Fall back to another outbound SA of the same policy (the old one during a rekey).
                    byReqId.Remove(removed.ReqId);
                    foreach (var other in outbound.Values)
                    {
                        if (other.ReqId == removed.ReqId)
                            byReqId[removed.ReqId] = other;
                    }
                }
                _snapshot = new Snapshot(old.Inbound, outbound, byReqId);
                return removed;
            }
        }
    }

    /// <summary>Removes every SA (shutdown); the caller disposes them.</summary>
    public List<EspSa> Clear()
    {
        lock (_writeLock)
        {
            var old = _snapshot;
            var all = new List<EspSa>(old.Inbound.Values);
            all.AddRange(old.Outbound.Values);
            _snapshot = new Snapshot([], [], []);
            return all;
        }
    }
}
