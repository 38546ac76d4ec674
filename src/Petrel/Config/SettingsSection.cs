namespace Petrel.Config;

/// <summary>
/// A "name { … }" section of a strongSwan settings file. Keys and subsections keep their order
/// and their file/line. A section written twice is merged and a key written twice keeps its
/// last value, as strongSwan's settings parser does.
/// </summary>
public sealed class SettingsSection
{
    private readonly List<SettingsEntry> _entries = [];
    private readonly List<SettingsSection> _sections = [];
    private readonly List<SettingsEntry> _replaced = [];
    private readonly List<SettingsReference> _references = [];

    public SettingsSection(string name, string path, string file, int line)
    {
        Name = name;
        Path = path;
        File = file;
        Line = line;
    }

    public string Name { get; }

    /// <summary>Dotted path from the root ("connections.lab.children.net"), empty for the root.</summary>
    public string Path { get; }

    public string File { get; }
    public int Line { get; }

    public IReadOnlyList<SettingsEntry> Entries => _entries;
    public IReadOnlyList<SettingsSection> Sections => _sections;

    /// <summary>Entries a later line of the same key replaced, for sections where a repeated key is a mistake rather than an override.</summary>
    public IReadOnlyList<SettingsEntry> Replaced => _replaced;

    /// <summary>The sections this one inherits from ("name : a, b.c { … }"), until <see cref="SettingsInheritance"/> resolves them.</summary>
    public IReadOnlyList<SettingsReference> References => _references;

    internal void AddReference(SettingsReference r) => _references.Add(r);

    /// <summary>An inherited key: the section has none of that name (the resolver checks).</summary>
    internal void AddInherited(SettingsEntry entry) => _entries.Add(entry);

    /// <summary>An own empty key that clears an inherited value (strongswan.conf(5)).</summary>
    internal void RemoveEntry(SettingsEntry entry) => _entries.Remove(entry);

    public SettingsEntry? FindEntry(string key)
    {
        foreach (var e in _entries)
            if (e.Key == key) return e;
        return null;
    }

    public SettingsSection? FindSection(string name)
    {
        foreach (var s in _sections)
            if (s.Name == name) return s;
        return null;
    }

    internal void SetEntry(SettingsEntry entry)
    {
        if (FindSection(entry.Key) is { } clash)
            throw new ConfigException(entry.File, entry.Line, $"'{entry.Key}' {Where()} is already a section (line {clash.Line}), not a key");
        for (int i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Key == entry.Key)
            {
                _replaced.Add(_entries[i]);
                _entries[i] = entry;
                return;
            }
        }
        _entries.Add(entry);
    }

    internal SettingsSection GetOrAddSection(string name, string file, int line)
    {
        if (FindEntry(name) is { } clash)
            throw new ConfigException(file, line, $"'{name}' {Where()} is already a key (line {clash.Line}), not a section");
        if (FindSection(name) is { } existing)
            return existing;
        var s = new SettingsSection(name, Path.Length == 0 ? name : $"{Path}.{name}", file, line);
        _sections.Add(s);
        return s;
    }

    /// <summary>"in connections.lab", or "at the top level" for the root, for messages.</summary>
    public string Where() => Path.Length == 0 ? "at the top level" : $"in {Path}";
}
