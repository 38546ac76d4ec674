using System.Text.Json.Nodes;

namespace Petrel.Cli;

/// <summary>list-sas for people, laid out like swanctl --list-sas.</summary>
public static class SaListPrinter
{
    public static void Print(JsonNode? sas, TextWriter w)
    {
        if (sas is not JsonArray array || array.Count == 0)
        {
            w.WriteLine("no IKE SAs");
            return;
        }
        foreach (var node in array)
        {
            if (node is not JsonObject sa)
                continue;
            bool initiator = Bool(sa, "initiator");
            // strongSwan marks the local side's SPI with '*'.
            w.WriteLine($"{Str(sa, "name")}: #{Str(sa, "unique_id")}, {Str(sa, "state")}, IKEv{Str(sa, "version")}, " +
                        $"{Str(sa, "initiator_spi")}_i{(initiator ? "*" : "")} {Str(sa, "responder_spi")}_r{(initiator ? "" : "*")}");
            w.WriteLine($"  local  '{Str(sa, "local_id")}' @ {Str(sa, "local_host")}{(Bool(sa, "nat_local") ? " (behind NAT)" : "")}{Vips(sa, "local_vips")}");
            w.WriteLine($"  remote '{Str(sa, "remote_id")}' @ {Str(sa, "remote_host")}{(Bool(sa, "nat_remote") ? " (behind NAT)" : "")}{Vips(sa, "remote_vips")}");
            if (sa["remote_eap_id"] is not null)
                w.WriteLine($"  remote EAP identity '{Str(sa, "remote_eap_id")}'");
            if (sa["local_eap_id"] is not null)
                w.WriteLine($"  local EAP identity '{Str(sa, "local_eap_id")}'");
            if (sa["remote_xauth_id"] is not null)
                w.WriteLine($"  remote XAuth identity '{Str(sa, "remote_xauth_id")}'");
            if (sa["local_xauth_id"] is not null)
                w.WriteLine($"  local XAuth identity '{Str(sa, "local_xauth_id")}'");
            foreach (string line in Rounds(sa))
                w.WriteLine(line);
            string algorithms = Join(Str(sa, "encr"), Str(sa, "integ"), Str(sa, "prf"), KeyExchanges(sa));
            if (algorithms.Length > 0)
                w.WriteLine($"  {algorithms}");
            if (Str(sa, "state") == "ESTABLISHED")
                w.WriteLine($"  established {Str(sa, "established_seconds")}s ago{Timers(sa, ("rekeying", "rekey_seconds"), ("reauth", "reauth_seconds"), ("expires", "expire_seconds"))}");
            if (sa["children"] is JsonArray children)
            {
                foreach (var cn in children)
                {
                    if (cn is not JsonObject c)
                        continue;
                    string mode = Str(c, "mode") + (Bool(c, "encap") ? "-in-UDP" : "");
                    w.WriteLine($"  {Str(c, "name")}: #{Str(c, "unique_id")}, reqid {Str(c, "reqid")}, {Str(c, "state")}, {mode}, " +
                                $"{Str(c, "protocol")}:{Join(Str(c, "encr"), Str(c, "integ"), KeyExchanges(c))}");
                    if (c["install_seconds"] is not null)
                        w.WriteLine($"    installed {Str(c, "install_seconds")}s ago{Timers(c, ("rekeying", "rekey_seconds"), ("expires", "expire_seconds"))}");
                    w.WriteLine($"    in  {Str(c, "spi_in"),-8}, {Str(c, "bytes_in"),10} bytes, {Str(c, "packets_in"),8} packets");
                    w.WriteLine($"    out {Str(c, "spi_out"),-8}, {Str(c, "bytes_out"),10} bytes, {Str(c, "packets_out"),8} packets");
                    w.WriteLine($"    local  {List(c, "local_ts")}");
                    w.WriteLine($"    remote {List(c, "remote_ts")}");
                    if (ConnectionListPrinter.Interface(c) is { } vti)
                        w.WriteLine($"    {vti}");
                }
            }
        }
    }

    /// <summary>
    /// One line per authentication round when a side authenticated in several (RFC 4739): "  remote round 2: eap-md5 'carol' (EAP identity 'carol@example')".
    /// </summary>
    private static IEnumerable<string> Rounds(JsonObject sa)
    {
        if (sa["auth_rounds"] is not JsonArray rounds) yield break;
        var list = rounds.OfType<JsonObject>().ToList();
        foreach (string side in new[] { "local", "remote" })
        {
            var mine = list.Where(r => Str(r, "side") == side).ToList();
            if (mine.Count < 2) continue;
            foreach (var r in mine)
                yield return $"  {side} round {Str(r, "round")}: {Str(r, "auth")} '{Str(r, "id")}'{(r["eap_id"] is not null ? $" (EAP identity '{Str(r, "eap_id")}')" : "")}";
        }
    }

    /// <summary>swanctl's ", rekeying in 51 minutes, expires in 66 minutes" for the timers that are set.</summary>
    private static string Timers(JsonObject o, params (string Label, string Key)[] timers)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (label, key) in timers)
        {
            if (o[key] is JsonValue v && v.TryGetValue(out long seconds))
                sb.Append($", {label} in {Duration(seconds)}");
        }
        return sb.ToString();
    }

    /// <summary>Like strongSwan's time printer: seconds up to 5 minutes, then minutes, hours, days.</summary>
    internal static string Duration(long seconds) =>
        seconds > 2 * 86400 ? $"{seconds / 86400} days"
        : seconds > 2 * 3600 ? $"{seconds / 3600} hours"
        : seconds > 5 * 60 ? $"{seconds / 60} minutes"
        : $"{seconds} seconds";

    /// <summary>Every key exchange performed ("CURVE_25519/KE1_ML_KEM_768", as strongSwan 6 prints it), else the negotiated group.</summary>
    private static string KeyExchanges(JsonObject o) =>
        o["key_exchanges"] is JsonArray a && a.Count > 0 ? string.Join('/', a.Select(n => n?.GetValue<string>() ?? "")) : Str(o, "dh");

    private static string Join(params string[] parts) => string.Join('/', parts.Where(p => p.Length > 0));

    internal static string Str(JsonObject o, string key) => o[key] switch
    {
        null => "",
        JsonValue v when v.TryGetValue(out string? s) => s ?? "",
        var n => n.ToJsonString(),
    };

    internal static bool Bool(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out bool b) && b;

    internal static string List(JsonObject o, string key) =>
        o[key] is JsonArray a ? string.Join(' ', a.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : x?.ToJsonString())) : "";

    /// <summary>swanctl prints an SA's virtual IPs after the host: " [10.3.0.1]".</summary>
    private static string Vips(JsonObject sa, string key) =>
        sa[key] is JsonArray { Count: > 0 } vips ? " [" + string.Join(" ", vips.Select(v => v?.ToString())) + "]" : "";
}
