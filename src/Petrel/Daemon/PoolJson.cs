using System.Text.Json.Nodes;
using Petrel.Ike.Pools;

namespace Petrel.Daemon;

/// <summary>list-pools --json: each pool with its size and lease counts (swanctl --list-pools), and its leases on request.</summary>
public static class PoolJson
{
    public static JsonArray ToJson(IReadOnlyList<PoolSummary> pools, bool leases)
    {
        var array = new JsonArray();
        foreach (var p in pools)
        {
            var o = new JsonObject
            {
                ["name"] = p.Name,
                ["addrs"] = p.Addresses,
                ["first"] = p.First,
                ["last"] = p.Last,
                ["size"] = p.Size,
                ["online"] = p.Online,
                ["offline"] = p.Offline,
            };
            if (leases)
            {
                var list = new JsonArray();
                foreach (var l in p.Leases)
                    list.Add(new JsonObject { ["address"] = l.Address.ToString(), ["identity"] = l.Identity, ["status"] = l.Online ? "online" : "offline" });
                o["leases"] = list;
            }
            array.Add(o);
        }
        return array;
    }
}
