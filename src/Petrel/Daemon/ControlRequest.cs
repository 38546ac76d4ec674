using System.Text.Json.Nodes;

namespace Petrel.Daemon;

/// <summary>
/// One request on the control socket: a JSON object on one line,
/// e.g. {"command":"up","connection":"lab","child":"net","timeout":30}.
/// "log" streams: {"command":"log","level":"debug","events":true} (see <see cref="ControlServer"/>).
/// </summary>
public sealed record ControlRequest(string Command, string? Connection = null, string? Child = null, double? Timeout = null, string? Level = null, bool Events = false, bool Leases = false)
{
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["command"] = Command };
        if (Connection is not null) o["connection"] = Connection;
        if (Child is not null) o["child"] = Child;
        if (Timeout is not null) o["timeout"] = Timeout;
        if (Level is not null) o["level"] = Level;
        if (Events) o["events"] = true;
        if (Leases) o["leases"] = true;
        return o;
    }

    /// <summary>Reads a request; null with a reason when the line is not one.</summary>
    public static ControlRequest? TryParse(string line, out string error)
    {
        error = "";
        JsonNode? node;
        try
        {
            // A repeated member would otherwise throw ArgumentException on first access (found by fuzzing, issue 12).
            node = JsonNode.Parse(line, documentOptions: new System.Text.Json.JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (System.Text.Json.JsonException e)
        {
            error = $"request is not JSON: {e.Message}";
            return null;
        }
        if (node is not JsonObject o || o["command"] is not JsonValue cv || !cv.TryGetValue(out string? command))
        {
            error = "request must be a JSON object with a \"command\" string";
            return null;
        }
        string? connection = null, child = null, level = null;
        bool events = false;
        if (o["level"] is JsonValue lv && !lv.TryGetValue(out level))
        {
            error = "\"level\" must be a string";
            return null;
        }
        if (o["events"] is JsonValue ev && !ev.TryGetValue(out events))
        {
            error = "\"events\" must be true or false";
            return null;
        }
        double? timeout = null;
        if (o["connection"] is JsonValue c && !c.TryGetValue(out connection))
        {
            error = "\"connection\" must be a string";
            return null;
        }
        if (o["child"] is JsonValue ch && !ch.TryGetValue(out child))
        {
            error = "\"child\" must be a string";
            return null;
        }
        if (o["timeout"] is JsonValue t)
        {
            if (!t.TryGetValue(out double seconds) || seconds < 0 || double.IsNaN(seconds))
            {
                error = "\"timeout\" must be a number of seconds";
                return null;
            }
            timeout = seconds;
        }
        bool leases = false;
        if (o["leases"] is JsonValue leasesValue && !leasesValue.TryGetValue(out leases))
        {
            error = "\"leases\" must be true or false";
            return null;
        }
        return new ControlRequest(command, connection, child, timeout, level, events, leases);
    }
}
