using System.Text.Json.Nodes;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;

namespace Petrel.Daemon;

/// <summary>
/// The data plane's counters for `petrel stats`: packets through each direction, drops by reason,
/// and the raw-socket batching (receive calls against packets, sendmmsg batches). Lock-free reads.
/// </summary>
public static class StatsJson
{
    public static JsonObject ToJson(IIpsecKernel? kernel)
    {
        if (kernel is not UserspaceKernel k)
            return new JsonObject { ["data_plane"] = "none" };
        var s = k.Statistics;
        var drops = new JsonObject();
        foreach (var (reason, count) in s.Drops())
            drops[reason.ToString()] = count;
        return new JsonObject
        {
            ["data_plane"] = "userspace",
            ["encapsulated"] = s.Encapsulated,
            ["decapsulated"] = s.Decapsulated,
            ["drops"] = drops,
            ["raw_receive_calls"] = s.RawReceiveCalls,
            ["raw_packets_received"] = s.RawPacketsReceived,
            ["raw_send_batches"] = s.RawSendBatches,
            ["raw_packets_sent_batched"] = s.RawPacketsSentBatched,
            ["tun_udp_writes"] = s.TunUdpWrites,
            ["tun_udp_gso_writes"] = s.TunUdpGsoWrites,
            ["tun_udp_coalesced"] = s.TunUdpCoalesced,
            ["tun_tcp_gso_writes"] = s.TunTcpGsoWrites,
            ["tun_tcp_coalesced"] = s.TunTcpCoalesced,
        };
    }
}
