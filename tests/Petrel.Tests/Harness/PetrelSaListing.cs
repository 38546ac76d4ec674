using System.Text.Json.Nodes;

namespace Petrel.Tests.Harness;

/// <summary>
/// `petrel list-sas --json` parsed: an array of IKE SAs, each with its CHILD_SAs (SPEC.md §2 field names).
/// </summary>
public sealed class PetrelSaListing
{
    public sealed record Child(string Name, string State, string SpiIn, string SpiOut, string Encr, ulong BytesIn, ulong BytesOut, ulong PacketsIn, ulong PacketsOut, JsonObject Raw);

    public sealed record Ike(string Name, string State, string Encr, string Prf, string Dh, bool Initiator, IReadOnlyList<Child> Children, JsonObject Raw);

    public IReadOnlyList<Ike> Sas { get; }
    public string Json { get; }

    private PetrelSaListing(IReadOnlyList<Ike> sas, string json)
    {
        Sas = sas;
        Json = json;
    }

    public static PetrelSaListing Parse(string json)
    {
        var array = JsonNode.Parse(json) as JsonArray ?? throw new FormatException("list-sas --json did not print a JSON array:\n" + json);
        var sas = new List<Ike>();
        foreach (var node in array)
        {
            if (node is not JsonObject o) continue;
            var children = new List<Child>();
            if (o["children"] is JsonArray ca)
            {
                foreach (var c in ca)
                {
                    if (c is not JsonObject co) continue;
                    children.Add(new Child(Str(co, "name"), Str(co, "state"), Str(co, "spi_in"), Str(co, "spi_out"), Str(co, "encr"),
                        Num(co, "bytes_in"), Num(co, "bytes_out"), Num(co, "packets_in"), Num(co, "packets_out"), co));
                }
            }
            sas.Add(new Ike(Str(o, "name"), Str(o, "state"), Str(o, "encr"), Str(o, "prf"), Str(o, "dh"),
                o["initiator"] is JsonValue iv && iv.TryGetValue(out bool b) && b, children, o));
        }
        return new PetrelSaListing(sas, json);
    }

    public Ike? Find(string name) => Sas.FirstOrDefault(s => s.Name == name && s.State != "DESTROYING");

    private static string Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : o[key]?.ToJsonString() ?? "";

    private static ulong Num(JsonObject o, string key)
    {
        if (o[key] is not JsonValue v) return 0;
        if (v.TryGetValue(out ulong u)) return u;
        if (v.TryGetValue(out long l)) return (ulong)Math.Max(0, l);
        if (v.TryGetValue(out double d)) return (ulong)d;
        if (v.TryGetValue(out string? s) && ulong.TryParse(s, out var p)) return p;
        return 0;
    }

    /// <summary>
    /// Sums every numeric property whose name contains any of <paramref name="fragments"/>
    /// (e.g. "drop", "replay"), at any depth; each property counts once.
    /// </summary>
    public static ulong SumCounters(JsonNode? node, params string[] fragments)
    {
        ulong sum = 0;
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (v is JsonValue val)
                    {
                        if (!fragments.Any(f => k.Contains(f, StringComparison.OrdinalIgnoreCase))) continue;
                        if (val.TryGetValue(out ulong u)) sum += u;
                        else if (val.TryGetValue(out long l) && l > 0) sum += (ulong)l;
                        else if (val.TryGetValue(out double d) && d > 0) sum += (ulong)d;
                    }
                    else sum += SumCounters(v, fragments);
                }
                break;
            case JsonArray a:
                foreach (var e in a) sum += SumCounters(e, fragments);
                break;
        }
        return sum;
    }
}
