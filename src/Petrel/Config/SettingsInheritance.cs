namespace Petrel.Config;

/// <summary>
/// Section references, strongswan.conf(5) "REFERENCING OTHER SECTIONS": <c>name : base1, base2.sub { … }</c>
/// inherits every key and subsection of the referenced sections, named by their absolute dotted path. The
/// section's own keys win (and come first); inherited ones follow, left to right over the references; subsections
/// present on both sides are merged the same way, to any depth. An own key with an empty value drops an inherited
/// one, so its default applies. References are resolved once the whole file (with its includes) is read, so
/// they may point forward. A reference to a missing section, or one that loops, is an error at the line that
/// wrote it.
/// </summary>
internal static class SettingsInheritance
{
    /// <summary>Replaces every section's references by what they inherit. Throws <see cref="ConfigException"/>.</summary>
    public static void Resolve(SettingsSection root)
    {
        var done = new HashSet<SettingsSection>();
        var active = new List<SettingsSection>();
        Resolve(root, root, done, active);
    }

    private static void Resolve(SettingsSection root, SettingsSection s, HashSet<SettingsSection> done, List<SettingsSection> active)
    {
        if (done.Contains(s)) return;
        active.Add(s);
        foreach (var r in s.References)
        {
            var target = Find(root, r.Name)
                ?? throw new ConfigException(r.File, r.Line, $"section '{s.Path}' inherits from '{r.Name}', which is not a section of this config{Suggest(root, r.Name)}");
            if (active.Contains(target))
            {
                string loop = string.Join(" -> ", active.SkipWhile(a => a != target).Select(a => a.Path).Append(target.Path));
                throw new ConfigException(r.File, r.Line, $"section '{s.Path}' inherits from '{r.Name}', which contains or inherits from it ({loop})");
            }
            Resolve(root, target, done, active);
            Merge(s, target);
        }
        // Own and inherited subsections: copies of a resolved section carry no references, so this reaches only the originals'.
        foreach (var sub in s.Sections.ToList())
            Resolve(root, sub, done, active);
        active.RemoveAt(active.Count - 1);
        done.Add(s);
    }

    /// <summary>Adds what <paramref name="from"/> (resolved) has and <paramref name="into"/> lacks, merging subsections both have.</summary>
    private static void Merge(SettingsSection into, SettingsSection from)
    {
        foreach (var e in from.Entries)
        {
            if (into.FindEntry(e.Key) is { } own)
            {
                if (own.Value.Length == 0) into.RemoveEntry(own);
                continue;
            }
            if (into.FindSection(e.Key) is { } clash)
                throw new ConfigException(e.File, e.Line, $"'{e.Key}' is a key in {from.Path}, inherited by {into.Path}, where it is a section (line {clash.Line})");
            into.AddInherited(e);
        }
        foreach (var sub in from.Sections)
        {
            if (into.FindEntry(sub.Name) is { } clash)
                throw new ConfigException(sub.File, sub.Line, $"'{sub.Name}' is a section in {from.Path}, inherited by {into.Path}, where it is a key (line {clash.Line})");
            var target = into.GetOrAddSection(sub.Name, sub.File, sub.Line);
            Merge(target, sub);
        }
    }

    /// <summary>The names of top-level sections some section inherits from (or from a section inside them).</summary>
    public static IReadOnlyList<string> TopLevelTemplates(SettingsSection root)
    {
        var names = new List<string>();
        void Walk(SettingsSection s)
        {
            foreach (var r in s.References)
            {
                string top = r.Name.Split('.')[0];
                if (!names.Contains(top)) names.Add(top);
            }
            foreach (var sub in s.Sections) Walk(sub);
        }
        Walk(root);
        return names;
    }

    /// <summary>The section at an absolute dotted path ("connections.base"), or null.</summary>
    private static SettingsSection? Find(SettingsSection root, string path)
    {
        var s = root;
        foreach (var part in path.Split('.'))
        {
            s = s.FindSection(part);
            if (s is null) return null;
        }
        return s;
    }

    private static string Suggest(SettingsSection root, string name)
    {
        var all = new List<string>();
        void Walk(SettingsSection s)
        {
            foreach (var sub in s.Sections)
            {
                all.Add(sub.Path);
                Walk(sub);
            }
        }
        Walk(root);
        return KeySuggestion.Closest(name, all) is { } best ? $" (did you mean '{best}'?)" : " (name it by its full path, e.g. connections.NAME)";
    }
}
