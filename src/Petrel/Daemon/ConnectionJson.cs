using System.Text.Json.Nodes;
using Petrel.Ike.Config;

namespace Petrel.Daemon;

/// <summary>
/// list-conns --json: the loaded configuration as swanctl --list-conns shows it. Secrets are not
/// part of a connection, so nothing here can leak one.
/// </summary>
public static class ConnectionJson
{
    /// <param name="interfaces">The route-based interfaces the daemon opened: route-based children show theirs.</param>
    public static JsonArray ToJson(IReadOnlyList<ConnectionConfig> connections, Petrel.Config.VirtualInterfaceSet? interfaces = null)
    {
        var array = new JsonArray();
        foreach (var c in connections)
            array.Add(ToJson(c, interfaces));
        return array;
    }

    public static JsonObject ToJson(ConnectionConfig c, Petrel.Config.VirtualInterfaceSet? interfaces = null)
    {
        var children = new JsonArray();
        foreach (var ch in c.Children)
        {
            var child = ToJson(ch);
            InterfaceJson.Add(child, ch, interfaces ?? Petrel.Config.VirtualInterfaceSet.Empty);
            children.Add(child);
        }
        return new JsonObject
        {
            ["name"] = c.Name,
            ["version"] = c.Version == 0 ? "IKEv1/2" : $"IKEv{c.Version}",
            ["local_addrs"] = SaJson.Strings(c.LocalAddrs.Count == 0 ? ["%any"] : c.LocalAddrs),
            ["remote_addrs"] = SaJson.Strings(c.RemoteAddrs.Count == 0 ? ["%any"] : c.RemoteAddrs),
            ["local_port"] = c.LocalPort,
            ["remote_port"] = c.RemotePort,
            ["proposals"] = SaJson.Strings(ProposalText.Describe(c.Proposals)),
            ["encap"] = c.Encap,
            ["aggressive"] = c.Aggressive,
            ["fragmentation"] = c.Fragmentation,
            ["mobike"] = c.Mobike,
            ["unique"] = c.Unique,
            ["dpd_delay"] = (long)c.DpdDelay.TotalSeconds,
            ["dpd_timeout"] = (long)c.DpdTimeout.TotalSeconds,
            ["rekey_time"] = (long)c.RekeyTime.TotalSeconds,
            ["reauth_time"] = (long)c.ReauthTime.TotalSeconds,
            ["local"] = Auth(c.Local, "certs", c.Local.Certs),
            ["remote"] = Auth(c.Remote, "cacerts", c.Remote.CaCerts),
            ["children"] = children,
            ["source"] = c.Source,
        };
    }

    private static JsonObject Auth(AuthConfig a, string filesKey, IReadOnlyList<string> files) => new()
    {
        ["auth"] = a.Auth,
        ["id"] = a.Id ?? "%any",
        [filesKey] = SaJson.Strings(files),
    };

    public static JsonObject ToJson(ChildConfig c) => new()
    {
        ["name"] = c.Name,
        ["mode"] = c.Mode.ToUpperInvariant(),
        ["protocol"] = c.AhProposals.Count > 0 ? "AH" : "ESP",
        ["local_ts"] = SaJson.Strings(c.LocalTs),
        ["remote_ts"] = SaJson.Strings(c.RemoteTs),
        ["esp_proposals"] = SaJson.Strings(ProposalText.Describe(c.EspProposals)),
        ["ah_proposals"] = SaJson.Strings(ProposalText.Describe(c.AhProposals)),
        ["start_action"] = c.StartAction,
        ["dpd_action"] = c.DpdAction,
        ["close_action"] = c.CloseAction,
        ["rekey_time"] = (long)c.RekeyTime.TotalSeconds,
        ["life_time"] = c.LifeTime is { } lt ? (long)lt.TotalSeconds : null,
        ["rekey_bytes"] = c.RekeyBytes,
        ["rekey_packets"] = c.RekeyPackets,
        ["replay_window"] = c.ReplayWindow,
    };
}
