using System.Globalization;
using System.Text.Json.Nodes;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;

namespace Petrel.Daemon;

/// <summary>
/// list-sas --json: the field names of SPEC.md §2 (snake_case), written out one by one so the
/// wire format does not change when the engine's snapshot records do.
/// </summary>
public static class SaJson
{
    /// <param name="kernel">When given, each CHILD_SA also shows its inbound SA's replay and integrity drops.</param>
    /// <param name="connections">With <paramref name="interfaces"/>: each route-based CHILD_SA also shows its if_ids and interfaces.</param>
    public static JsonArray ToJson(IReadOnlyList<IkeSaInfo> sas, IIpsecKernel? kernel = null,
        IReadOnlyList<Petrel.Ike.Config.ConnectionConfig>? connections = null, Petrel.Config.VirtualInterfaceSet? interfaces = null)
    {
        var array = new JsonArray();
        foreach (var sa in sas)
        {
            var o = ToJson(sa, kernel);
            if (connections is not null && o["children"] is JsonArray children)
            {
                for (int i = 0; i < sa.Children.Count && i < children.Count; i++)
                {
                    if (InterfaceJson.Find(connections, sa.Name, sa.Children[i].Name) is { } config && children[i] is JsonObject child)
                        InterfaceJson.Add(child, config, interfaces ?? Petrel.Config.VirtualInterfaceSet.Empty);
                }
            }
            array.Add(o);
        }
        return array;
    }

    public static JsonObject ToJson(IkeSaInfo sa, IIpsecKernel? kernel = null)
    {
        var children = new JsonArray();
        foreach (var c in sa.Children)
            children.Add(ToJson(c, kernel));
        return new JsonObject
        {
            ["name"] = sa.Name,
            ["unique_id"] = sa.UniqueId,
            ["version"] = sa.Version,
            ["state"] = sa.State,
            ["local_host"] = sa.LocalHost,
            ["remote_host"] = sa.RemoteHost,
            ["local_id"] = sa.LocalId,
            ["remote_id"] = sa.RemoteId,
            ["initiator"] = sa.Initiator,
            ["initiator_spi"] = sa.InitiatorSpi,
            ["responder_spi"] = sa.ResponderSpi,
            ["encr"] = sa.Encr,
            ["integ"] = sa.Integ,
            ["prf"] = sa.Prf,
            ["dh"] = sa.Dh,
            ["key_exchanges"] = Strings(sa.KeyExchanges),
            ["nat_local"] = sa.NatLocal,
            ["nat_remote"] = sa.NatRemote,
            ["established_seconds"] = sa.EstablishedSeconds,
            ["rekey_seconds"] = sa.RekeySeconds,
            ["reauth_seconds"] = sa.ReauthSeconds,
            ["expire_seconds"] = sa.ExpireSeconds,
            ["local_vips"] = new JsonArray([.. sa.LocalVips.Select(v => (JsonNode)JsonValue.Create(v))]),
            ["remote_vips"] = new JsonArray([.. sa.RemoteVips.Select(v => (JsonNode)JsonValue.Create(v))]),
            ["children"] = children,
            // strongSwan's vici says remote-eap-id for the client's EAP identity; as client it is ours.
            [sa.Initiator ? "local_eap_id" : "remote_eap_id"] = sa.EapIdentity.Length > 0 ? sa.EapIdentity : null,
            // IKEv1 XAuth (strongSwan's vici: remote-xauth-id): the user the XAuth server accepted, the peer's or ours.
            [sa.XAuthLocal ? "local_xauth_id" : "remote_xauth_id"] = sa.XAuthIdentity.Length > 0 ? sa.XAuthIdentity : null,
            // Every authentication round done (swanctl.conf's local-N / remote-N, RFC 4739): method, IKE identity, EAP identity.
            ["auth_rounds"] = new JsonArray([.. sa.AuthRounds.Select(r => (JsonNode)new JsonObject
            {
                ["side"] = r.Local ? "local" : "remote",
                ["round"] = r.Round,
                ["auth"] = r.Auth,
                ["id"] = r.Identity,
                ["eap_id"] = r.EapIdentity.Length > 0 ? r.EapIdentity : null,
            })]),
        };
    }

    public static JsonObject ToJson(ChildSaInfo c, IIpsecKernel? kernel = null)
    {
        var o = Fields(c);
        // RFC 4303 §3.4.3/§3.4.4: replayed and ICV-failing packets are dropped and counted per SA.
        if (kernel is not null && uint.TryParse(c.SpiIn, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint spi)
            && kernel.TryGetCounters(spi, SaDirection.Inbound, out var counters))
        {
            o["replay_drops"] = counters.ReplayDrops;
            o["integrity_failures"] = counters.IntegrityFailures;
        }
        return o;
    }

    private static JsonObject Fields(ChildSaInfo c) => new()
    {
        ["name"] = c.Name,
        ["unique_id"] = c.UniqueId,
        ["reqid"] = c.ReqId,
        ["state"] = c.State,
        ["mode"] = c.Mode,
        ["protocol"] = c.Protocol,
        ["encap"] = c.Encap,
        ["spi_in"] = c.SpiIn,
        ["spi_out"] = c.SpiOut,
        ["encr"] = c.Encr,
        ["integ"] = c.Integ,
        ["dh"] = c.Dh,
        ["key_exchanges"] = Strings(c.KeyExchanges),
        ["local_ts"] = Strings(c.LocalTs),
        ["remote_ts"] = Strings(c.RemoteTs),
        ["bytes_in"] = c.BytesIn,
        ["bytes_out"] = c.BytesOut,
        ["packets_in"] = c.PacketsIn,
        ["packets_out"] = c.PacketsOut,
        ["install_seconds"] = c.InstallSeconds,
        ["rekey_seconds"] = c.RekeySeconds,
        ["expire_seconds"] = c.ExpireSeconds,
    };

    public static JsonArray Strings(IEnumerable<string> items)
    {
        var a = new JsonArray();
        foreach (var s in items)
            a.Add(s);
        return a;
    }
}
