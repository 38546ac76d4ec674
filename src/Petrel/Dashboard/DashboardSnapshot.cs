using System.Text.Json.Nodes;
using Petrel.Daemon;
using Petrel.Daemon.Events;

namespace Petrel.Dashboard;

/// <summary>
/// What the page shows, as one JSON object: connections, IKE SAs with their CHILD_SAs (list-sas's shape), and
/// the recent events. The engine thread only copies its SA snapshot (IkeEngine.ListSas); the JSON is built here,
/// on the web server's thread, as the control socket's list-sas does.
/// </summary>
public sealed class DashboardSnapshot(EngineLoop loop, EventHub feed, Petrel.DataPlane.Kernel.IIpsecKernel? kernel, Petrel.Config.VirtualInterfaceSet? interfaces)
{
    public async Task<JsonObject> BuildAsync()
    {
        var (sas, connections, activity) = await loop.InvokeAsync(e => (e.ListSas(), e.Connections, e.Activity())).ConfigureAwait(false);
        var events = new JsonArray();
        foreach (var e in feed.Recent())
            if (e.Kind is not (Petrel.Ike.Engine.SaEventKind.IkeState or Petrel.Ike.Engine.SaEventKind.ChildState)) events.Add(FeedJson.Event(e));
        return new JsonObject
        {
            ["time"] = DateTimeOffset.UtcNow.ToString(FeedJson.TimeFormat, System.Globalization.CultureInfo.InvariantCulture),
            ["version"] = PetrelVersion.Text,
            ["connections"] = ConnectionJson.ToJson(connections, interfaces),
            ["sas"] = SaJson.ToJson(sas, kernel, connections, interfaces),
            ["events"] = events,
            ["counters"] = Counters(activity),
        };
    }

    /// <summary>Each connection's IKE counters (IkeActivity.Connections): messages out and in, retransmits, rekeys.</summary>
    private static JsonObject Counters(Petrel.Ike.Engine.IkeActivity? activity)
    {
        var o = new JsonObject();
        if (activity is null) return o;
        foreach (var (name, c) in activity.Connections)
        {
            o[name] = new JsonObject
            {
                ["messages_out"] = c.RequestsSent.Values.Sum() + c.ResponsesSent.Values.Sum(),
                ["messages_in"] = c.RequestsReceived.Values.Sum() + c.ResponsesReceived.Values.Sum(),
                ["retransmits"] = c.Retransmits,
                ["ike_rekeys"] = c.IkeRekeys,
                ["child_rekeys"] = c.ChildRekeys,
            };
        }
        return o;
    }
}
