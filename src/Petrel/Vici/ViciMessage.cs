using System.Text;

namespace Petrel.Vici;

/// <summary>
/// A decoded vici message, or one of its sections: key/values, lists and sub-sections in the order they
/// were written. Values are raw bytes (the protocol does not type them; strongSwan sends text).
/// </summary>
public sealed class ViciMessage
{
    private readonly List<ViciItem> _items = [];

    public IReadOnlyList<ViciItem> Items => _items;

    public void Add(ViciItem item) => _items.Add(item);

    public ViciItem? Find(string name)
    {
        foreach (var item in _items)
            if (item.Name == name) return item;
        return null;
    }

    /// <summary>The value of a key as UTF-8 text, or null when the key is absent or not a key/value.</summary>
    public string? Text(string key) =>
        Find(key) is { Kind: ViciItemKind.KeyValue, Value: { } v } ? Encoding.UTF8.GetString(v) : null;

    public byte[]? Bytes(string key) => Find(key) is { Kind: ViciItemKind.KeyValue, Value: { } v } ? v : null;

    /// <summary>A key whose value is "yes" (strongSwan's booleans; "true" and "1" are taken too).</summary>
    public bool Flag(string key) => Text(key)?.Trim().ToLowerInvariant() is "yes" or "true" or "1";

    public ViciMessage? Section(string name) => Find(name) is { Kind: ViciItemKind.Section, Section: { } s } ? s : null;

    /// <summary>The items of a list as text, or null when there is no such list.</summary>
    public List<string>? List(string name)
    {
        if (Find(name) is not { Kind: ViciItemKind.List, Items: { } items }) return null;
        var result = new List<string>(items.Count);
        foreach (var i in items) result.Add(Encoding.UTF8.GetString(i));
        return result;
    }
}

public enum ViciItemKind
{
    KeyValue,
    List,
    Section,
}

/// <summary>One entry of a <see cref="ViciMessage"/>.</summary>
public sealed record ViciItem(ViciItemKind Kind, string Name, byte[]? Value = null, IReadOnlyList<byte[]>? Items = null, ViciMessage? Section = null);
