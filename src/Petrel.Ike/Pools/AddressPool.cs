using System.Net;

namespace Petrel.Ike.Pools;

/// <summary>
/// One pool's leases, strongSwan's mem-pool behaviour: an identity that comes back gets the address it had
/// (its offline lease), a new identity gets an address never handed out, and only when none is left an
/// offline lease of another identity is taken over (the longest offline first). A lease is online while
/// IKE SAs hold it (one identity may hold it from several SAs during reauthentication) and goes offline
/// when the last of them releases it. Memory grows with the leases handed out, not with the pool's size.
/// Not thread-safe: <see cref="AddressPoolSet"/> serialises access.
/// </summary>
public sealed class AddressPool
{
    private sealed class Lease(int offset, string identity)
    {
        public int Offset { get; } = offset;
        public string Identity { get; set; } = identity;
        public int Holders { get; set; }
        public LinkedListNode<Lease>? OfflineNode { get; set; }
    }

    private readonly Dictionary<int, Lease> _byOffset = [];
    private readonly Dictionary<string, List<Lease>> _byIdentity = new(StringComparer.Ordinal);
    private readonly LinkedList<Lease> _offline = new();
    private int _unused;

    public AddressPool(AddressPoolConfig config) => Config = config;

    public AddressPoolConfig Config { get; private set; }
    public string Name => Config.Name;
    public AddressRange Range => Config.Addresses;
    public int Size => Range.Count;
    public int Online => _byOffset.Count - _offline.Count;
    public int Offline => _offline.Count;

    /// <summary>A reload with the same addresses: new attributes (dns …), the leases stay.</summary>
    internal void Reconfigure(AddressPoolConfig config) => Config = config;

    /// <summary>
    /// One pass of a lease request. <paramref name="requested"/> is the address the client asked for
    /// (null or 0.0.0.0/:: for any); only the identity's own leases honour it, as in strongSwan.
    /// </summary>
    public IPAddress? TryAcquire(string identity, IPAddress? requested, PoolAcquireMode mode)
    {
        int wanted = requested is null ? -1 : Range.OffsetOf(requested);
        Lease? lease = mode switch
        {
            PoolAcquireMode.Existing => Existing(identity, wanted),
            PoolAcquireMode.New => New(identity),
            _ => Reassign(identity),
        };
        if (lease is null)
            return null;
        lease.Holders++;
        return Range.AddressAt(lease.Offset);
    }

    /// <summary>An IKE SA of <paramref name="identity"/> no longer holds <paramref name="address"/>. False when it held no such lease.</summary>
    public bool Release(IPAddress address, string identity)
    {
        int offset = Range.OffsetOf(address);
        if (offset < 0 || !_byOffset.TryGetValue(offset, out var lease) || lease.Identity != identity || lease.Holders == 0)
            return false;
        if (--lease.Holders == 0)
            lease.OfflineNode = _offline.AddLast(lease);
        return true;
    }

    public IReadOnlyList<PoolLease> Leases()
    {
        var list = new List<PoolLease>(_byOffset.Count);
        foreach (var l in _byOffset.Values)
            list.Add(new PoolLease(Range.AddressAt(l.Offset), l.Identity, l.Holders > 0));
        list.Sort((a, b) => AddressRange.ToNumber(a.Address).CompareTo(AddressRange.ToNumber(b.Address)));
        return list;
    }

    private Lease? Existing(string identity, int wanted)
    {
        if (!_byIdentity.TryGetValue(identity, out var leases))
            return null;
        // An offline lease comes back (the one asked for, if it is one of them) …
        Lease? offline = null;
        foreach (var l in leases)
        {
            if (l.Holders != 0) continue;
            if (offline is null || l.Offset == wanted) offline = l;
        }
        if (offline is not null)
        {
            _offline.Remove(offline.OfflineNode!);
            offline.OfflineNode = null;
            return offline;
        }
        // … else an online lease asked for by its address is shared (reauthentication: the new SA before the old one goes).
        foreach (var l in leases)
            if (l.Offset == wanted) return l;
        return null;
    }

    private Lease? New(string identity)
    {
        if (_unused >= Size)
            return null;
        var lease = new Lease(_unused++, identity);
        _byOffset.Add(lease.Offset, lease);
        Own(identity, lease);
        return lease;
    }

    private Lease? Reassign(string identity)
    {
        var oldest = _offline.First;
        if (oldest is null)
            return null;
        var lease = oldest.Value;
        _offline.RemoveFirst();
        lease.OfflineNode = null;
        var previous = _byIdentity[lease.Identity];
        previous.Remove(lease);
        if (previous.Count == 0) _byIdentity.Remove(lease.Identity);
        lease.Identity = identity;
        Own(identity, lease);
        return lease;
    }

    private void Own(string identity, Lease lease)
    {
        if (!_byIdentity.TryGetValue(identity, out var leases))
            _byIdentity[identity] = leases = [];
        leases.Add(lease);
    }
}
