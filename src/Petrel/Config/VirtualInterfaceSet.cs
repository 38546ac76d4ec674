namespace Petrel.Config;

/// <summary>
/// The route-based VPN interfaces the configuration needs: one per distinct if_id of the children
/// (if_id_in / if_id_out), in order of first use. An id named in petrel { interfaces { NAME = ID } }
/// gets that name; the others are vti00, vti01, … by their position in that order, skipping any
/// vtiNN a user took. Compared by content, so <see cref="DaemonSettings"/> stays a value.
/// </summary>
public sealed class VirtualInterfaceSet : IEquatable<VirtualInterfaceSet>
{
    public static readonly VirtualInterfaceSet Empty = new([]);

    public VirtualInterfaceSet(IReadOnlyList<(uint Id, string Name)> interfaces) => Interfaces = interfaces;

    public IReadOnlyList<(uint Id, string Name)> Interfaces { get; }

    /// <summary>The configured addresses by if_id (petrel.interfaces.NAME.local / peer); ids without any are absent.</summary>
    public IReadOnlyDictionary<uint, IReadOnlyList<TunnelAddress>> Addresses { get; init; } = new Dictionary<uint, IReadOnlyList<TunnelAddress>>();

    /// <summary>The configured addresses of an if_id (none when it has no local/peer).</summary>
    public IReadOnlyList<TunnelAddress> AddressesOf(uint id) => Addresses.TryGetValue(id, out var list) ? list : [];

    /// <summary>The interface name of an if_id, or null when the id has none (0, or not configured).</summary>
    public string? NameOf(uint id)
    {
        foreach (var (i, name) in Interfaces)
            if (i == id) return name;
        return null;
    }

    public static VirtualInterfaceSet For(IEnumerable<uint> ids) => For(ids, new Dictionary<uint, string>());

    /// <param name="configured">petrel.interfaces as <see cref="InterfaceNames.Read"/> returned it: names and addresses.</param>
    public static VirtualInterfaceSet For(IEnumerable<uint> ids, InterfaceNames.Configured configured)
    {
        var set = For(ids, configured.Names);
        return set.Interfaces.Count == 0 ? set : new VirtualInterfaceSet(set.Interfaces) { Addresses = configured.Addresses };
    }

    /// <param name="names">User-given names by id (petrel.interfaces), already validated: distinct names, distinct ids.</param>
    public static VirtualInterfaceSet For(IEnumerable<uint> ids, IReadOnlyDictionary<uint, string> names)
    {
        var order = new List<uint>();
        foreach (var id in ids)
        {
            if (id != 0 && !order.Contains(id))
                order.Add(id);
        }
        if (order.Count == 0)
            return Empty;

        var taken = new HashSet<string>(names.Values, StringComparer.Ordinal);
        var list = new List<(uint, string)>(order.Count);
        int next = 0;
        for (int position = 0; position < order.Count; position++)
        {
            uint id = order[position];
            if (names.TryGetValue(id, out var name))
            {
                list.Add((id, name));
                continue;
            }
            // An unnamed id keeps the number of its position, so naming one interface does not
            // rename the others (a routing daemon's config keeps pointing at the right vtiNN);
            // only a vtiNN the user gave to another id moves it to the next free number.
            next = Math.Max(next, position);
            while (taken.Contains($"vti{next:00}"))
                next++;
            string auto = $"vti{next:00}";
            taken.Add(auto);
            list.Add((id, auto));
            next++;
        }
        return new VirtualInterfaceSet(list);
    }

    public bool Equals(VirtualInterfaceSet? other) => other is not null && Interfaces.SequenceEqual(other.Interfaces) && SameAddresses(other);

    /// <summary>Same names and ids: the devices stay (only addresses may differ).</summary>
    public bool SameDevices(VirtualInterfaceSet other) => Interfaces.SequenceEqual(other.Interfaces);

    private bool SameAddresses(VirtualInterfaceSet other) =>
        Addresses.Count == other.Addresses.Count
        && Addresses.All(a => other.Addresses.TryGetValue(a.Key, out var b) && a.Value.SequenceEqual(b));

    public override bool Equals(object? obj) => Equals(obj as VirtualInterfaceSet);

    public override int GetHashCode() => Interfaces.Count;

    public override string ToString() => Interfaces.Count == 0 ? "none" : string.Join(", ", Interfaces.Select(i => $"{i.Name} (if_id {i.Id})"));
}
