using System.Text.Json.Nodes;

namespace Petrel.Cli;

/// <summary>list-conns for people, laid out like swanctl --list-conns.</summary>
public static class ConnectionListPrinter
{
    public static void Print(JsonNode? conns, TextWriter w)
    {
        if (conns is not JsonArray array || array.Count == 0)
        {
            w.WriteLine("no connections loaded");
            return;
        }
        foreach (var node in array)
        {
            if (node is not JsonObject c)
                continue;
            string reauth = SaListPrinter.Str(c, "reauth_time") is "0" or "" ? "no reauthentication" : $"reauthentication every {SaListPrinter.Str(c, "reauth_time")}s";
            string rekey = SaListPrinter.Str(c, "rekey_time") is "0" or "" ? "no rekeying" : $"rekeying every {SaListPrinter.Str(c, "rekey_time")}s";
            w.WriteLine($"{SaListPrinter.Str(c, "name")}: {SaListPrinter.Str(c, "version")}, {reauth}, {rekey}" +
                        (SaListPrinter.Str(c, "dpd_delay") is "0" or "" ? "" : $", dpd delay {SaListPrinter.Str(c, "dpd_delay")}s"));
            w.WriteLine($"  local:  {SaListPrinter.List(c, "local_addrs")}");
            w.WriteLine($"  remote: {SaListPrinter.List(c, "remote_addrs")}");
            if (c["proposals"] is JsonArray)
                w.WriteLine($"  proposals: {SaListPrinter.List(c, "proposals")}");
            PrintAuth(c["local"] as JsonObject, "local", "certs", w);
            PrintAuth(c["remote"] as JsonObject, "remote", "cacerts", w);
            if (c["children"] is JsonArray children)
            {
                foreach (var cn in children)
                {
                    if (cn is not JsonObject ch)
                        continue;
                    string childRekey = SaListPrinter.Str(ch, "rekey_time") is "0" or "" ? "no rekeying" : $"rekeying every {SaListPrinter.Str(ch, "rekey_time")}s";
                    w.WriteLine($"  {SaListPrinter.Str(ch, "name")}: {SaListPrinter.Str(ch, "mode")}, {childRekey}, start_action {SaListPrinter.Str(ch, "start_action")}");
                    w.WriteLine($"    local:  {SaListPrinter.List(ch, "local_ts")}");
                    w.WriteLine($"    remote: {SaListPrinter.List(ch, "remote_ts")}");
                    string proposals = SaListPrinter.Str(ch, "protocol") == "AH" ? "ah_proposals" : "esp_proposals";
                    w.WriteLine($"    proposals: {SaListPrinter.List(ch, proposals)}");
                    if (Interface(ch) is { } vti)
                        w.WriteLine($"    {vti}");
                }
            }
        }
    }

    /// <summary>
    /// "interface: ospf0 (if_id 42)" for a route-based child, "interfaces: in …, out …" when its two
    /// ids differ, null for a policy-based one. An id without a device (added by a reload) says so.
    /// </summary>
    internal static string? Interface(JsonObject c)
    {
        if (c["if_id_in"] is null && c["if_id_out"] is null)
            return null;
        string inbound = Device(c, "in"), outbound = Device(c, "out");
        return inbound == outbound ? $"interface: {inbound}" : $"interfaces: in {inbound}, out {outbound}";
    }

    private static string Device(JsonObject c, string direction)
    {
        string id = SaListPrinter.Str(c, "if_id_" + direction);
        if (id is "0" or "")
            return "none";
        string name = SaListPrinter.Str(c, "interface_" + direction);
        return name.Length == 0 ? $"if_id {id} (no interface until the daemon restarts)" : $"{name} (if_id {id})";
    }

    private static void PrintAuth(JsonObject? a, string side, string filesKey, TextWriter w)
    {
        if (a is null)
            return;
        string method = SaListPrinter.Str(a, "auth") switch
        {
            "psk" => "pre-shared key",
            "pubkey" => "public key",
            var m => m,
        };
        w.WriteLine($"  {side} {method} authentication:");
        w.WriteLine($"    id: {SaListPrinter.Str(a, "id")}");
        string files = SaListPrinter.List(a, filesKey);
        if (files.Length > 0)
            w.WriteLine($"    {filesKey}: {files}");
    }
}
