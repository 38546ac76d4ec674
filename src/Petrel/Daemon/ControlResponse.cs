using System.Text.Json.Nodes;

namespace Petrel.Daemon;

/// <summary>
/// The answer to one request, one JSON line: {"ok":true,"message":"…","result":…} or
/// {"ok":false,"error":"no connection named 'lab2'"}.
/// </summary>
public sealed record ControlResponse(bool Ok, string? Message = null, string? Error = null, JsonNode? Result = null)
{
    public static ControlResponse Success(string? message = null, JsonNode? result = null) => new(true, message, null, result);
    public static ControlResponse Failure(string error) => new(false, null, error);

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["ok"] = Ok };
        if (Message is not null) o["message"] = Message;
        if (Error is not null) o["error"] = Error;
        if (Result is not null) o["result"] = Result;
        return o;
    }

    public static ControlResponse Parse(string line)
    {
        if (JsonNode.Parse(line) is not JsonObject o || o["ok"] is not JsonValue ok || !ok.TryGetValue(out bool success))
            throw new FormatException("the daemon's answer is not a control response");
        string? message = o["message"]?.GetValue<string>();
        string? error = o["error"]?.GetValue<string>();
        var result = o["result"];
        o.Remove("result");
        return new ControlResponse(success, message, error, result);
    }
}
