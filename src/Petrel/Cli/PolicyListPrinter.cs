using System.Text.Json.Nodes;

namespace Petrel.Cli;

/// <summary>list-pols for people, laid out like swanctl --list-pols (trap policies).</summary>
public static class PolicyListPrinter
{
    public static void Print(JsonNode? pols, TextWriter w)
    {
        if (pols is not JsonArray array || array.Count == 0)
        {
            w.WriteLine("no trap policies installed");
            return;
        }
        foreach (var node in array)
        {
            if (node is not JsonObject p)
                continue;
            string extra = (SaListPrinter.Str(p, "temporary") == "true" ? ", temporary" : "")
                + (SaListPrinter.Str(p, "acquires") is "0" or "" ? "" : $", {SaListPrinter.Str(p, "acquires")} acquires");
            w.WriteLine($"{SaListPrinter.Str(p, "connection")}/{SaListPrinter.Str(p, "child")}, reqid {SaListPrinter.Str(p, "reqid")}, {SaListPrinter.Str(p, "state").ToUpperInvariant()}, {SaListPrinter.Str(p, "mode")}{extra}");
            w.WriteLine($"  local:  {SaListPrinter.List(p, "local_ts")}");
            w.WriteLine($"  remote: {SaListPrinter.List(p, "remote_ts")}");
        }
    }
}
