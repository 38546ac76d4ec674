using System.Text.Json.Nodes;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;

namespace Petrel.Daemon;

/// <summary>Trap policies as list-pols returns them.</summary>
public static class PolicyJson
{
    public static JsonArray ToJson(IReadOnlyList<TrapPolicyInfo> traps)
    {
        var array = new JsonArray();
        foreach (var t in traps)
        {
            array.Add(new JsonObject
            {
                ["connection"] = t.Connection,
                ["child"] = t.Child,
                ["reqid"] = t.ReqId,
                ["mode"] = t.Mode,
                ["state"] = t.State,
                ["temporary"] = t.Temporary,
                ["acquires"] = t.Acquires,
                ["local_ts"] = new JsonArray(t.LocalTs.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
                ["remote_ts"] = new JsonArray(t.RemoteTs.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
            });
        }
        return array;
    }
}
