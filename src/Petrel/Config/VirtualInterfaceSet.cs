namespace Petrel.Config;

/// <summary>
/// The route-based VPN interfaces the configuration needs: one per distinct if_id of the children
/// (if_id_in / if_id_out), named vti00, vti01, … in order of first use. Compared by content, so
/// <see cref="DaemonSettings"/> stays a value.
/// </summary>
public sealed class VirtualInterfaceSet : IEquatable<VirtualInterfaceSet>
{
    public static readonly VirtualInterfaceSet Empty = new([]);

    public VirtualInterfaceSet(IReadOnlyList<(uint Id, string Name)> interfaces) => Interfaces = interfaces;

    public IReadOnlyList<(uint Id, string Name)> Interfaces { get; }

    public static VirtualInterfaceSet For(IEnumerable<uint> ids)
    {
        var list = new List<(uint, string)>();
        foreach (var id in ids)
        {
            if (id != 0 && !list.Exists(x => x.Item1 == id))
                list.Add((id, $"vti{list.Count:00}"));
        }
        return list.Count == 0 ? Empty : new VirtualInterfaceSet(list);
    }

    public bool Equals(VirtualInterfaceSet? other) => other is not null && Interfaces.SequenceEqual(other.Interfaces);

    public override bool Equals(object? obj) => Equals(obj as VirtualInterfaceSet);

    public override int GetHashCode() => Interfaces.Count;

    public override string ToString() => string.Join(", ", Interfaces.Select(i => $"{i.Name} (if_id {i.Id})"));
}
