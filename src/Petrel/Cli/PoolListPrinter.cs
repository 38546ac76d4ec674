using System.Text.Json.Nodes;

namespace Petrel.Cli;

/// <summary>list-pools for people, laid out like swanctl --list-pools: name, first address, online / offline / size, then the leases.</summary>
public static class PoolListPrinter
{
    public static void Print(JsonNode? pools, TextWriter w)
    {
        if (pools is not JsonArray array || array.Count == 0)
        {
            w.WriteLine("no pools");
            return;
        }
        foreach (var node in array)
        {
            if (node is not JsonObject p) continue;
            w.WriteLine($"{Str(p, "name"),-20} {Str(p, "addrs"),-40} {Str(p, "online"),3} / {Str(p, "offline"),3} / {Str(p, "size"),3}");
            if (p["leases"] is not JsonArray leases) continue;
            foreach (var ln in leases)
            {
                if (ln is not JsonObject l) continue;
                w.WriteLine($"  {Str(l, "address"),-39} {Str(l, "status"),-7} '{Str(l, "identity")}'");
            }
        }
    }

    private static string Str(JsonObject o, string key) => o[key]?.ToString() ?? "";
}
