using System.Globalization;
using System.Text.Json.Nodes;

namespace Petrel.Cli;

/// <summary>Text form of `petrel stats` (the daemon's <see cref="Daemon.StatsJson"/>).</summary>
internal static class StatsPrinter
{
    public static void Print(JsonNode? result, TextWriter w)
    {
        if (result is not JsonObject o || Long(o, "encapsulated") is null)
        {
            w.WriteLine("no userspace data plane");
            return;
        }
        w.WriteLine($"packets encapsulated {Long(o, "encapsulated")}, decapsulated {Long(o, "decapsulated")}");
        long calls = Long(o, "raw_receive_calls") ?? 0, received = Long(o, "raw_packets_received") ?? 0;
        string perCall = calls == 0 ? "-" : (received / (double)calls).ToString("F1", CultureInfo.InvariantCulture);
        w.WriteLine($"raw ESP/AH receive: {received} packets in {calls} calls ({perCall} per recvmmsg)");
        w.WriteLine($"raw ESP send: {Long(o, "raw_packets_sent_batched")} packets in {Long(o, "raw_send_batches")} sendmmsg batches");
        if (o["tun_udp_writes"] is JsonValue udpPath)
        {
            w.WriteLine($"tunnel device writes: UDP {udpPath}; {Long(o, "tun_udp_coalesced")} datagrams in {Long(o, "tun_udp_gso_writes")} UDP GSO writes, " +
                $"{Long(o, "tun_tcp_coalesced")} TCP segments in {Long(o, "tun_tcp_gso_writes")} TCP GSO writes");
        }
        var drops = o["drops"] as JsonObject;
        w.WriteLine(drops is null || drops.Count == 0
            ? "drops: none"
            : "drops: " + string.Join(", ", drops.Select(d => $"{d.Key} {d.Value}")));
        if (o["ike"] is JsonObject ike)
            w.WriteLine($"IKE: shed before the engine {Long(ike, "ingress_shed_new_sa")} requests for new SAs and {Long(ike, "ingress_shed_sa")} messages of SAs; " +
                $"dropped {Long(ike, "dropped")} (integrity check failed {Long(ike, "integrity_failures")}); IKE_SA_INIT over the half-open limits {Long(ike, "dropped_by_limits")}");
        if (o["ike"] is JsonObject crypto && Long(crypto, "crypto_shed") is { } shed)
            w.WriteLine($"IKE crypto workers: {Long(crypto, "crypto_waiting")} jobs waiting of {Long(crypto, "crypto_capacity")}; IKE_SA_INIT dropped because the queue was full {shed}");
    }

    private static long? Long(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue(out long l) ? l : null;
}
