namespace Petrel.Config;

/// <summary>
/// petrel { interfaces { NAME = IF_ID } }: names for the route-based interfaces, so a routing daemon
/// or firewall can refer to a stable name ("ospf0") instead of Petrel's vtiNN. The id is written as
/// the children's if_id_in / if_id_out (decimal or 0x hex). Every error names the file, line and key.
/// </summary>
public static class InterfaceNames
{
    /// <summary>
    /// Reads and validates the section against the shared TUN device's name and the ids the children
    /// use (<paramref name="childIds"/>, 0 meaning "none"). Returns the names by id; empty without a section.
    /// </summary>
    public static IReadOnlyDictionary<uint, string> Read(SettingsSection? section, string tunName, IEnumerable<uint> childIds)
    {
        if (section is null)
            return new Dictionary<uint, string>();
        string where = section.Path;
        foreach (var sub in section.Sections)
            throw new ConfigException(sub.File, sub.Line, $"'{sub.Name}' in {where} must be a key: NAME = IF_ID");
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

        var named = new Dictionary<uint, SettingsEntry>();
        foreach (var e in section.Entries)
        {
            CheckName(e, where, tunName);
            uint id = Id(e, where);
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
        }
        return named.ToDictionary(n => n.Key, n => n.Value.Key);
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
