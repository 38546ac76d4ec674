namespace Petrel.Config;

/// <summary>
/// petrel { interfaces { NAME = IF_ID } }: names for the route-based interfaces, so a routing daemon
/// or firewall can refer to a stable name ("ospf0") instead of Petrel's vtiNN. The id is written as
/// the children's if_id_in / if_id_out (decimal or 0x hex). The long form gives the interface its
/// addresses too: NAME { if_id = ID  local = 169.254.10.1  peer = 169.254.10.2 } (<see cref="InterfaceAddressReader"/>).
/// Every error names the file, line and key.
/// </summary>
public static class InterfaceNames
{
    /// <summary>The names by id, and the addresses of the interfaces that have some.</summary>
    public sealed record Configured(IReadOnlyDictionary<uint, string> Names, IReadOnlyDictionary<uint, IReadOnlyList<TunnelAddress>> Addresses);

    /// <summary>
    /// Reads and validates the section against the shared TUN device's name and the ids the children
    /// use (<paramref name="childIds"/>, 0 meaning "none"). Empty without a section.
    /// </summary>
    public static Configured Read(SettingsSection? section, string tunName, IEnumerable<uint> childIds)
    {
        var addresses = new Dictionary<uint, IReadOnlyList<TunnelAddress>>();
        if (section is null)
            return new Configured(new Dictionary<uint, string>(), addresses);
        string where = section.Path;
        // The settings parser lets a repeated key override the earlier one; here that would silently
        // move a name from one id to another, so it is refused.
        foreach (var earlier in section.Replaced)
        {
            var later = section.FindEntry(earlier.Key)!;
            throw SettingValues.Error(later, where, $"the name is given twice (also at {earlier.File}:{earlier.Line}); one interface per name");
        }

        var used = new List<uint>();
        foreach (var id in childIds)
            if (id != 0 && !used.Contains(id)) used.Add(id);

        foreach (var sub in section.Sections)
        {
            if (section.FindEntry(sub.Name) is { } both)
                throw SettingValues.Error(both, where, $"'{sub.Name}' is given twice (also as a section at {sub.File}:{sub.Line}); one interface per name");
        }
        if (section.Sections.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            var again = twice.Skip(1).First();
            throw new ConfigException(again.File, again.Line, $"'{again.Name}' in {where} is given twice; one interface per name");
        }

        // Each interface as (the entry that names it, its id entry): "NAME = ID" or NAME { if_id = ID … }.
        var items = new List<(SettingsEntry Name, SettingsEntry Id, SettingsSection? Body)>();
        foreach (var e in section.Entries)
            items.Add((e, e, null));
        foreach (var sub in section.Sections)
        {
            string subWhere = sub.Path;
            foreach (var inner in sub.Sections)
                throw new ConfigException(inner.File, inner.Line, $"'{inner.Name}' in {subWhere} is not a section Petrel knows (keys: if_id, local, peer)");
            foreach (var k in sub.Entries)
                if (k.Key is not ("if_id" or "local" or "peer"))
                    throw SettingValues.Error(k, subWhere, $"unknown key '{k.Key}' (an interface has if_id, local and peer)");
            var idEntry = sub.FindEntry("if_id") ?? throw new ConfigException(sub.File, sub.Line, $"{subWhere} needs if_id = ID (the children's if_id_in / if_id_out)");
            items.Add((new SettingsEntry(sub.Name, idEntry.Value, sub.File, sub.Line), idEntry, sub));
        }

        var named = new Dictionary<uint, SettingsEntry>();
        foreach (var (e, idEntry, body) in items)
        {
            CheckName(e, where, tunName);
            uint id = Id(idEntry, body?.Path ?? where);
            if (named.TryGetValue(id, out var other))
                throw SettingValues.Error(e, where, $"if_id {id} is already named '{other.Key}' (line {other.Line}); one name per interface");
            // A name for an id no child uses is almost always a mistyped id: refusing it at load time
            // points at the line, where a warning would leave the child on an unexpected vtiNN and the
            // routing daemon configured for this name without an interface.
            if (!used.Contains(id))
            {
                string children = used.Count == 0 ? "no child has if_id_in/if_id_out" : $"the children use {string.Join(", ", used)}";
                throw SettingValues.Error(e, where, $"no child uses if_id {id} ({children}); name an id a child's if_id_in or if_id_out has");
            }
            named.Add(id, e);
            if (body is not null && InterfaceAddressReader.Read(body) is { Count: > 0 } list)
                addresses.Add(id, list);
        }
        return new Configured(named.ToDictionary(n => n.Key, n => n.Value.Key), addresses);
    }

    /// <summary>
    /// Linux's dev_valid_name(): 1 to 15 bytes, not "." or "..", no '/', ':' or whitespace; '%' is
    /// refused too because TUNSETIFF would treat it as a number template ("vti%d"). ASCII only.
    /// Used for petrel.tun_name as well.
    /// </summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 15 && name is not ("." or "..")
        && !name.Any(c => c is '/' or ':' or '%' || char.IsWhiteSpace(c) || c <= ' ' || c > '~');

    /// <summary>What <see cref="IsValid"/> asks for, as the error messages say it.</summary>
    public const string Rule = "1 to 15 characters, not '.' or '..', no '/', ':', '%' or spaces";

    private static void CheckName(SettingsEntry e, string where, string tunName)
    {
        string n = e.Key;
        if (!IsValid(n))
            throw SettingValues.Error(e, where, $"'{n}' is not an interface name ({Rule})");
        if (n == tunName)
            throw SettingValues.Error(e, where, $"'{n}' is the shared TUN device of policy-based connections (petrel.tun_name); choose another name");
    }

    private static uint Id(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        // 0 means "no interface" in if_id_in/if_id_out, and 0xffffffff is refused there too (the loader's InterfaceId).
        if (!SwanctlLoader.TryParseInterfaceId(v, out uint id) || id is 0 or uint.MaxValue)
            throw SettingValues.Error(e, where, $"'{e.Value}' is not an interface id (1 to 4294967294, decimal or 0x hex, as in if_id_in/if_id_out)");
        return id;
    }
}
