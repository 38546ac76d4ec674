using System.Net;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Sa;

/// <summary>
/// The table of IKE SAs (strongSwan's ike_sa_manager): every lookup the engine makes per packet or per
/// command is a dictionary lookup, never a walk over all SAs. Indexes: our SPI (every message after
/// IKE_SA_INIT), the peer's SPI and address for a responder's SA (a retransmitted IKE_SA_INIT, §2.1),
/// the unique id (the CLI), the connection name (initiate, terminate, uniqueness) and the peer address
/// (INITIAL_CONTACT, "another SA with this peer"). Half-open SAs (responder, CONNECTING) are counted as
/// their state changes, in total and per peer address (§2.6 COOKIE and per-IP limits).
/// Owned by the engine thread; not thread-safe.
/// </summary>
internal sealed class IkeSaManager(Action<IkeSa>? stateChanged = null)
{
    private readonly Dictionary<ulong, IkeSa> _bySpi = [];
    private readonly Dictionary<(IPEndPoint Remote, ulong SpiI), IkeSa> _byInitiatorSpi = [];
    private readonly SortedDictionary<uint, IkeSa> _byId = [];
    private readonly Dictionary<string, LinkedList<IkeSa>> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, LinkedList<IkeSa>> _byPeer = [];
    private readonly Dictionary<IPAddress, int> _halfOpenByPeer = [];

    public int Count => _byId.Count;

    /// <summary>Responder SAs still in IKE_SA_INIT/IKE_AUTH (CONNECTING), kept as states change.</summary>
    public int HalfOpen { get; private set; }

    /// <summary>Half-open SAs from one peer address.</summary>
    public int HalfOpenFrom(IPAddress peer) => _halfOpenByPeer.TryGetValue(peer, out int n) ? n : 0;

    /// <summary>Every SA in the order they were created (unique id). Callers that change the table copy first.</summary>
    public IEnumerable<IkeSa> All => _byId.Values;

    public bool TryGet(ulong localSpi, out IkeSa sa) => _bySpi.TryGetValue(localSpi, out sa!);

    public IkeSa? Find(uint uniqueId) => _byId.GetValueOrDefault(uniqueId);

    /// <summary>The responder's SA for a peer's IKE_SA_INIT (§2.1: a retransmission must get the same answer).</summary>
    public IkeSa? FindByInitiator(IPEndPoint remote, ulong initiatorSpi) => _byInitiatorSpi.GetValueOrDefault((remote, initiatorSpi));

    /// <summary>The SAs of one connection, in the order they joined it (empty when none). Copy before changing the table.</summary>
    public IEnumerable<IkeSa> OfConnection(string name) => _byConnection.TryGetValue(name, out var l) ? l : [];

    /// <summary>The SAs whose peer is at this address, in the order they came (empty when none). Copy before changing the table.</summary>
    public IEnumerable<IkeSa> OfPeer(IPAddress address) => _byPeer.TryGetValue(address, out var l) ? l : [];

    /// <summary>A fresh SPI, non-zero and not ours already (§2.6: SPIs identify SAs, so no two may be equal).</summary>
    public ulong NewSpi(IRandom random)
    {
        Span<byte> b = stackalloc byte[8];
        while (true)
        {
            random.Fill(b);
            ulong spi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b);
            if (spi != 0 && !_bySpi.ContainsKey(spi)) return spi;
        }
    }

    /// <summary>Adds an SA under its SPI (a responder's also under the peer's SPI); adding it again only re-keys the SPI entry.</summary>
    public void Add(IkeSa sa, ulong initiatorSpiForLookup)
    {
        _bySpi[sa.LocalSpi] = sa;
        var entry = sa.TableEntry ?? new IkeSaTableEntry(this);
        if (!sa.IsInitiator)
        {
            var key = (sa.Remote, initiatorSpiForLookup);
            if (entry.InitiatorKey is { } old) _byInitiatorSpi.Remove(old);
            _byInitiatorSpi[key] = sa;
            entry.InitiatorKey = key;
        }
        if (!_byId.TryAdd(sa.UniqueId, sa)) return;
        entry.ConnectionNode = AddTo(_byConnection, sa.Name, sa);
        entry.PeerNode = AddTo(_byPeer, sa.Remote.Address, sa);
        if (sa.IsHalfOpen) CountHalfOpen(sa.Remote.Address, +1);
        sa.JoinTable(entry);
    }

    /// <summary>Takes an SA out of every index (it may already be gone: removing twice is harmless).</summary>
    public void Remove(IkeSa sa)
    {
        if (!_byId.Remove(sa.UniqueId)) return;
        if (_bySpi.TryGetValue(sa.LocalSpi, out var registered) && ReferenceEquals(registered, sa)) _bySpi.Remove(sa.LocalSpi);
        var entry = sa.LeaveTable();
        if (entry is null) return;
        if (entry.InitiatorKey is { } key && _byInitiatorSpi.TryGetValue(key, out var r) && ReferenceEquals(r, sa)) _byInitiatorSpi.Remove(key);
        RemoveFrom(_byConnection, sa.Name, entry.ConnectionNode);
        RemoveFrom(_byPeer, sa.Remote.Address, entry.PeerNode);
        if (sa.IsHalfOpen) CountHalfOpen(sa.Remote.Address, -1);
    }

    internal void OnStateChanged(IkeSa sa, IkeSaState from)
    {
        stateChanged?.Invoke(sa);
        bool was = !sa.IsInitiator && from == IkeSaState.Connecting;
        if (was != sa.IsHalfOpen) CountHalfOpen(sa.Remote.Address, sa.IsHalfOpen ? +1 : -1);
    }

    internal void OnRemoteChanged(IkeSa sa, IkeSaTableEntry entry, IPEndPoint from)
    {
        if (from.Address.Equals(sa.Remote.Address)) return;
        RemoveFrom(_byPeer, from.Address, entry.PeerNode);
        entry.PeerNode = AddTo(_byPeer, sa.Remote.Address, sa);
        if (sa.IsHalfOpen)
        {
            CountHalfOpen(from.Address, -1);
            CountHalfOpen(sa.Remote.Address, +1);
        }
    }

    internal void OnNameChanged(IkeSa sa, IkeSaTableEntry entry, string from)
    {
        if (from == sa.Name) return;
        RemoveFrom(_byConnection, from, entry.ConnectionNode);
        entry.ConnectionNode = AddTo(_byConnection, sa.Name, sa);
    }

    private void CountHalfOpen(IPAddress peer, int delta)
    {
        HalfOpen += delta;
        int n = HalfOpenFrom(peer) + delta;
        if (n > 0) _halfOpenByPeer[peer] = n;
        else _halfOpenByPeer.Remove(peer);
    }

    private static LinkedListNode<IkeSa> AddTo<TKey>(Dictionary<TKey, LinkedList<IkeSa>> index, TKey key, IkeSa sa) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = new();
        return list.AddLast(sa);
    }

    private static void RemoveFrom<TKey>(Dictionary<TKey, LinkedList<IkeSa>> index, TKey key, LinkedListNode<IkeSa>? node) where TKey : notnull
    {
        if (node?.List is not { } list) return;
        list.Remove(node);
        if (list.Count == 0) index.Remove(key);
    }
}
