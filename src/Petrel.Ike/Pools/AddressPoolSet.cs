using System.Net;
using System.Net.Sockets;

namespace Petrel.Ike.Pools;

/// <summary>
/// The configured pools by name (swanctl.conf pools { }), shared by the connections that name them in
/// <c>pools = a, b</c>. Leases are handed out on the engine thread and listed from the control socket,
/// so every call takes one lock. A reload keeps a pool whose addresses did not change, with its leases;
/// a pool that is gone or changed starts empty (an online lease of a removed pool is simply forgotten).
/// </summary>
public sealed class AddressPoolSet
{
    private readonly object _gate = new();
    private Dictionary<string, AddressPool> _pools = new(StringComparer.Ordinal);

    public AddressPoolSet() { }

    public AddressPoolSet(IEnumerable<AddressPoolConfig> configs) => Load(configs);

    public void Load(IEnumerable<AddressPoolConfig> configs)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, AddressPool>(StringComparer.Ordinal);
            foreach (var c in configs)
            {
                if (_pools.TryGetValue(c.Name, out var old) && old.Config.SameAddresses(c))
                {
                    old.Reconfigure(c);
                    next[c.Name] = old;
                }
                else
                {
                    next[c.Name] = new AddressPool(c);
                }
            }
            _pools = next;
        }
    }

    public bool Contains(string name)
    {
        lock (_gate) return _pools.ContainsKey(name);
    }

    public AddressPoolConfig? Find(string name)
    {
        lock (_gate) return _pools.TryGetValue(name, out var p) ? p.Config : null;
    }

    /// <summary>
    /// A lease of <paramref name="family"/> for <paramref name="identity"/> from the first of <paramref name="poolNames"/>
    /// that has one, pass by pass (<see cref="PoolAcquireMode"/>). Null when the pools of that family are used up.
    /// </summary>
    public PoolAssignment? Acquire(IReadOnlyList<string> poolNames, string identity, AddressFamily family, IPAddress? requested)
    {
        lock (_gate)
        {
            foreach (var mode in (ReadOnlySpan<PoolAcquireMode>)[PoolAcquireMode.Existing, PoolAcquireMode.New, PoolAcquireMode.Reassign])
            {
                foreach (string name in poolNames)
                {
                    if (!_pools.TryGetValue(name, out var pool) || pool.Range.Family != family)
                        continue;
                    if (pool.TryAcquire(identity, requested, mode) is { } address)
                        return new PoolAssignment(address, name, identity);
                }
            }
            return null;
        }
    }

    /// <summary>The IKE SA that held <paramref name="assignment"/> is gone: its lease goes offline (kept for the identity).</summary>
    public bool Release(PoolAssignment assignment)
    {
        if (assignment.Pool is null)
            return false;
        lock (_gate)
            return _pools.TryGetValue(assignment.Pool, out var pool) && pool.Release(assignment.Address, assignment.Identity);
    }

    public IReadOnlyList<PoolSummary> List(bool withLeases)
    {
        lock (_gate)
        {
            var list = new List<PoolSummary>(_pools.Count);
            foreach (var p in _pools.Values)
            {
                list.Add(new PoolSummary(p.Name, p.Range.Text, p.Range.First.ToString(), p.Range.Last.ToString(), p.Size, p.Online, p.Offline,
                    withLeases ? p.Leases() : []));
            }
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return list;
        }
    }
}
