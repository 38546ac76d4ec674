using System.Text.Json.Nodes;
using Petrel.Ike;

namespace Petrel.Daemon;

/// <summary>
/// list-sas --json: the field names of SPEC.md §2 (snake_case), written out one by one so the
/// wire format does not change when the engine's snapshot records do.
/// </summary>
public static class SaJson
{
    public static JsonArray ToJson(IReadOnlyList<IkeSaInfo> sas)
    {
        var array = new JsonArray();
        foreach (var sa in sas)
            array.Add(ToJson(sa));
        return array;
    }

    public static JsonObject ToJson(IkeSaInfo sa)
    {
        var children = new JsonArray();
        foreach (var c in sa.Children)
            children.Add(ToJson(c));
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
            ["nat_local"] = sa.NatLocal,
            ["nat_remote"] = sa.NatRemote,
            ["established_seconds"] = sa.EstablishedSeconds,
            ["children"] = children,
        };
    }

    public static JsonObject ToJson(ChildSaInfo c) => new()
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
        ["local_ts"] = Strings(c.LocalTs),
        ["remote_ts"] = Strings(c.RemoteTs),
        ["bytes_in"] = c.BytesIn,
        ["bytes_out"] = c.BytesOut,
        ["packets_in"] = c.PacketsIn,
        ["packets_out"] = c.PacketsOut,
        ["install_seconds"] = c.InstallSeconds,
    };

    public static JsonArray Strings(IEnumerable<string> items)
    {
        var a = new JsonArray();
        foreach (var s in items)
            a.Add(s);
        return a;
    }
}
