using System.Collections.Concurrent;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Sad;

/// <summary>
/// The SAD (RFC 4301 §4.4.2): inbound SAs by SPI, outbound SAs by SPI and by ReqId. Packet threads read
/// without locking (concurrent dictionaries); installs and removals change one entry under a writer lock, so a
/// gateway's N-th CHILD_SA costs the same as its first (the tables were copied whole on every change before).
/// </summary>
internal sealed class SecurityAssociationDatabase
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<uint, EspSa> _inbound = new();
    private readonly ConcurrentDictionary<uint, EspSa> _outbound = new();
    private readonly ConcurrentDictionary<uint, EspSa> _outboundByReqId = new();

    /// <summary>Writer side: the outbound SAs of each ReqId in install order (a rekey has two for a while).</summary>
    private readonly Dictionary<uint, List<EspSa>> _outboundOfReqId = [];

    public EspSa? FindInbound(uint spi) => _inbound.GetValueOrDefault(spi);

    public EspSa? Find(uint spi, SaDirection direction) =>
        (direction == SaDirection.Inbound ? _inbound : _outbound).GetValueOrDefault(spi);

    /// <summary>The outbound SA traffic of a policy leaves through: the one installed last (make-before-break rekeying).</summary>
    public EspSa? FindOutbound(uint reqId) => _outboundByReqId.GetValueOrDefault(reqId);

    public bool ContainsInbound(uint spi) => _inbound.ContainsKey(spi);

    /// <summary>Adds an SA; returns an SA with the same SPI and direction that it replaced (to be disposed).</summary>
    public EspSa? Add(EspSa sa)
    {
        lock (_writeLock)
        {
            if (sa.Direction == SaDirection.Inbound)
            {
                _inbound.TryGetValue(sa.Spi, out var replacedIn);
                _inbound[sa.Spi] = sa;
                return replacedIn;
            }
            _outbound.TryGetValue(sa.Spi, out var replaced);
            if (replaced is not null) Forget(replaced);
            _outbound[sa.Spi] = sa;
            if (!_outboundOfReqId.TryGetValue(sa.ReqId, out var list)) _outboundOfReqId[sa.ReqId] = list = [];
            list.Add(sa);
            _outboundByReqId[sa.ReqId] = sa;
            return replaced;
        }
    }

    public EspSa? Remove(uint spi, SaDirection direction)
    {
        lock (_writeLock)
        {
            if (direction == SaDirection.Inbound)
                return _inbound.TryRemove(spi, out var removedIn) ? removedIn : null;
            if (!_outbound.TryRemove(spi, out var removed))
                return null;
            Forget(removed);
            return removed;
        }
    }

    /// <summary>Takes an outbound SA out of its ReqId's list; the policy falls back to the newest other one (the old SA during a rekey).</summary>
    private void Forget(EspSa removed)
    {
        if (!_outboundOfReqId.TryGetValue(removed.ReqId, out var list)) return;
        list.Remove(removed);
        if (list.Count == 0)
        {
            _outboundOfReqId.Remove(removed.ReqId);
            _outboundByReqId.TryRemove(removed.ReqId, out _);
        }
        else if (_outboundByReqId.TryGetValue(removed.ReqId, out var current) && ReferenceEquals(current, removed))
        {
            _outboundByReqId[removed.ReqId] = list[^1];
        }
    }

    /// <summary>Removes every SA (shutdown); the caller disposes them.</summary>
    public List<EspSa> Clear()
    {
        lock (_writeLock)
        {
            var all = new List<EspSa>(_inbound.Values);
            all.AddRange(_outbound.Values);
            _inbound.Clear();
            _outbound.Clear();
            _outboundByReqId.Clear();
            _outboundOfReqId.Clear();
            return all;
        }
    }
}
