using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Ike.Pools;

namespace Petrel.Vici;

/// <summary>
/// load-pool, unload-pool and get-pools (swanctl --load-pools, --list-pools): a pool loaded over vici goes through
/// the config file's pool checks (<see cref="PoolLoader"/>), replaces a pool of the same name from the file, and is
/// handed to the engine with the file's at once. get-pools lists every pool the engine hands addresses from.
/// </summary>
public sealed partial class ViciCommands
{
    private const string PoolSource = "vici load-pool";

    /// <summary>The pools the engine runs now: the file's with those loaded over vici (the daemon's merged configuration).</summary>
    public Func<IReadOnlyList<AddressPoolConfig>> AppliedPools { get; init; } = () => [];

    private Task<ViciWriter> LoadPoolAsync(ViciRequest request)
    {
        var items = request.Message.Items;
        if (items.Count != 1 || items[0].Kind != ViciItemKind.Section)
            return Task.FromResult(Failure("load-pool takes one section: the pool"));
        AddressPoolConfig pool;
        try
        {
            pool = MapPool(items[0].Name, items[0].Section!);
        }
        catch (ConfigException e)
        {
            _log.LogWarning("vici: load-pool '{Name}' refused: {Error}", items[0].Name, e.Message);
            return Task.FromResult(Failure(e.Message));
        }
        return ChangeAsync(() =>
        {
            foreach (var other in AppliedPools())
            {
                if (other.Name != pool.Name && other.Addresses.Overlaps(pool.Addresses))
                    return Failure($"{PoolSource}: pool '{pool.Name}' ({pool.Addresses}) overlaps pool '{other.Name}' ({other.Addresses}, {other.Source}); pools must not overlap");
            }
            if (!_store.SetPool(pool))
                return Failure($"{_store.MaxEntries} pools are loaded over vici already");
            _log.LogInformation("vici: loaded pool '{Name}' ({Addresses})", pool.Name, pool.Addresses);
            return null;
        });
    }

    /// <summary>The vici section as the file's pools.NAME section, through the file's checks.</summary>
    private static AddressPoolConfig MapPool(string name, ViciMessage section)
    {
        if (name.Length == 0 || name.Contains('.') || name.Contains('/'))
            throw new ConfigException(PoolSource, 0, $"'{name}' is not a pool name");
        var pools = new SettingsSection("pools", "pools", PoolSource, 0);
        var target = pools.GetOrAddSection(name, PoolSource, 0);
        foreach (var item in section.Items)
        {
            switch (item.Kind)
            {
                case ViciItemKind.KeyValue:
                    target.SetEntry(new SettingsEntry(item.Name, ViciConnectionMapper.Text(target, item.Name, item.Value!, PoolSource), PoolSource, 0));
                    break;
                case ViciItemKind.List:
                    var values = item.Items!.Select(v => ViciConnectionMapper.Text(target, item.Name, v, PoolSource)).ToList();
                    target.SetEntry(new SettingsEntry(item.Name, string.Join(", ", values), PoolSource, 0));
                    break;
                default:
                    throw new ConfigException(PoolSource, 0, $"unknown section '{item.Name}' in pools.{name}: a pool has addrs, dns and nbns");
            }
        }
        return PoolLoader.Map(pools)[0] with { Source = PoolSource };
    }

    private async Task<ViciWriter> UnloadPoolAsync(ViciRequest request)
    {
        string? name = request.Message.Text("name");
        if (name is null)
            return Failure("missing pool name to unload");
        if (!_store.PoolNames.Contains(name))
        {
            bool fromFile = AppliedPools().Any(p => p.Name == name);
            return Failure(fromFile
                ? $"pool '{name}' comes from the config file: remove it there and run petrel reload"
                : $"pool '{name}' not found");
        }
        var online = await _loop.InvokeAsync(e => e.Pools?.List(false).FirstOrDefault(p => p.Name == name)?.Online ?? 0).ConfigureAwait(false);
        if (online > 0)
            return Failure($"pool '{name}' has {online} online lease(s): it can be unloaded once they are released");
        return await ChangeAsync(() =>
        {
            if (!_store.RemovePool(name))
                return Failure($"pool '{name}' not found");
            _log.LogInformation("vici: unloaded pool '{Name}'", name);
            return null;
        }).ConfigureAwait(false);
    }

    /// <summary>get-pools: each pool's base (its subnet's address, or a range's first), size, online and offline leases, and with leases = yes the leases.</summary>
    private async Task<ViciWriter> GetPoolsAsync(ViciRequest request)
    {
        bool leases = request.Message.Flag("leases");
        string? name = request.Message.Text("name");
        var pools = await _loop.InvokeAsync(e => e.Pools?.List(leases) ?? []).ConfigureAwait(false);
        var w = new ViciWriter();
        foreach (var p in pools)
        {
            if (name is not null && p.Name != name)
                continue;
            w.BeginSection(p.Name)
                .Add("base", p.Addresses.Split('/', '-')[0])
                .Add("size", p.Size)
                .Add("online", p.Online)
                .Add("offline", p.Offline);
            if (leases)
            {
                w.BeginSection("leases");
                for (int i = 0; i < p.Leases.Count; i++)
                {
                    var lease = p.Leases[i];
                    w.BeginSection(i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                        .Add("address", lease.Address.ToString())
                        .Add("identity", lease.Identity)
                        .Add("status", lease.Online ? "online" : "offline")
                        .EndSection();
                }
                w.EndSection();
            }
            w.EndSection();
        }
        return w;
    }
}
