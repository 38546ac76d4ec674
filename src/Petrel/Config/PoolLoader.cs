using System.Net;
using Petrel.Ike.Pools;

namespace Petrel.Config;

/// <summary>
/// swanctl.conf <c>pools { NAME { addrs, dns, nbns } }</c> and a connection's <c>pools</c> / <c>vips</c>
/// (swanctl.conf(5)). Every error names the file, line and key.
/// </summary>
internal static class PoolLoader
{
    private static readonly string[] PoolKeys = ["addrs", "dns", "nbns"];

    /// <summary>Attributes strongSwan's pools can carry that Petrel does not send yet.</summary>
    private static readonly string[] PoolUnsupported = ["dhcp", "netmask", "server", "subnet", "split_include", "split_exclude"];

    /// <summary>strongSwan's pool names for attribute providers other than its own pools.</summary>
    private static readonly string[] ProviderPools = ["dhcp", "radius"];

    public static List<AddressPoolConfig> Map(SettingsSection pools)
    {
        foreach (var e in pools.Entries)
            throw new ConfigException(e.File, e.Line, $"unexpected key '{e.Key}' in pools: a pool must be a section: NAME {{ addrs = 10.3.0.0/24 }}");
        var list = new List<AddressPoolConfig>();
        foreach (var s in pools.Sections)
        {
            var pool = MapPool(s);
            foreach (var other in list)
            {
                if (pool.Addresses.Overlaps(other.Addresses))
                    throw new ConfigException(s.File, s.Line,
                        $"pools.{s.Name}: addresses {pool.Addresses} overlap pool '{other.Name}' ({other.Addresses}, {other.Source}); pools must not overlap");
            }
            list.Add(pool);
        }
        return list;
    }

    private static AddressPoolConfig MapPool(SettingsSection s)
    {
        foreach (var sub in s.Sections)
            throw new ConfigException(sub.File, sub.Line, $"unknown section '{sub.Name}' in {s.Path}: a pool has addrs, dns and nbns");
        AddressRange? addrs = null;
        List<IPAddress> dns = [], nbns = [];
        foreach (var e in s.Entries)
        {
            switch (e.Key)
            {
                case "addrs":
                    if (!AddressRange.TryParse(e.Value, out addrs, out string error))
                        throw SettingValues.Error(e, s.Path, error);
                    break;
                case "dns": dns = Servers(e, s.Path, allowV6: true); break;
                case "nbns": nbns = Servers(e, s.Path, allowV6: false); break;
                default:
                    if (Array.IndexOf(PoolUnsupported, e.Key) >= 0)
                        throw new ConfigException(e.File, e.Line, $"key '{e.Key}' in {s.Path} is not supported by Petrel yet (pools send addrs, dns and nbns)");
                    throw new ConfigException(e.File, e.Line, $"unknown key '{e.Key}' in {s.Path}{KeySuggestion.Hint(e.Key, PoolKeys)}");
            }
        }
        if (addrs is null)
            throw new ConfigException(s.File, s.Line, $"{s.Path}: 'addrs' (a subnet such as 10.3.0.0/24 or a range 10.3.0.10-10.3.0.50) is missing");
        return new AddressPoolConfig { Name = s.Name, Addresses = addrs, Dns = dns, Nbns = nbns, Source = $"{s.File}:{s.Line}" };
    }

    private static List<IPAddress> Servers(SettingsEntry e, string where, bool allowV6)
    {
        var list = new List<IPAddress>();
        foreach (string item in SettingValues.List(e))
        {
            if (!IPAddress.TryParse(item, out var ip) || item.Contains('/') || item.Contains('%'))
                throw SettingValues.Error(e, where, $"'{item}' is not an IP address");
            if (!allowV6 && ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw SettingValues.Error(e, where, $"'{item}': NBNS servers are IPv4 only (RFC 7296 §3.15.1)");
            list.Add(ip);
        }
        return list;
    }

    /// <summary>connections.NAME.pools: names of pools { } sections, tried in order.</summary>
    public static List<string> ConnectionPools(SettingsEntry e, string where, IReadOnlyCollection<string> defined)
    {
        var names = SettingValues.List(e);
        foreach (string name in names)
        {
            if (Array.IndexOf(ProviderPools, name) >= 0)
                throw SettingValues.Error(e, where, $"pool '{name}' (strongSwan's {name} plugin) is not supported by Petrel yet: name a pools {{ }} section");
            if (!defined.Contains(name))
                throw SettingValues.Error(e, where, $"pool '{name}' is not defined in pools {{ }}{KeySuggestion.Hint(name, [.. defined])}");
        }
        return names;
    }

    /// <summary>
    /// connections.NAME.vips: the virtual IPs to request as initiator, 0.0.0.0 / :: for any address
    /// of that family or an address to ask for; at most one per family.
    /// </summary>
    public static List<IPAddress> Vips(SettingsEntry e, string where)
    {
        var list = new List<IPAddress>();
        foreach (string item in SettingValues.List(e))
        {
            if (!IPAddress.TryParse(item, out var ip) || item.Contains('/') || item.Contains('%'))
                throw SettingValues.Error(e, where, $"'{item}' is not an IP address (0.0.0.0 or :: asks for any)");
            if (list.Exists(v => v.AddressFamily == ip.AddressFamily))
                throw SettingValues.Error(e, where, $"'{item}': one virtual IP per address family");
            list.Add(ip);
        }
        return list;
    }
}
