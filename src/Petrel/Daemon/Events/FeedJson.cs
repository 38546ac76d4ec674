using System.Globalization;
using System.Text.Json.Nodes;
using Petrel.Ike.Engine;

namespace Petrel.Daemon.Events;

/// <summary>The JSON shapes of the feed: one object per log line (also the log_format = json line) and per SA event.</summary>
public static class FeedJson
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>{"time","level","category","message", then the SA tags, then "exception"}.</summary>
    public static JsonObject Log(LogLine line)
    {
        var o = new JsonObject
        {
            ["time"] = line.Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
            ["level"] = LogFields.Level(line.Level),
            ["category"] = line.Category,
            ["message"] = line.Message,
        };
        foreach (var (k, v) in line.Fields)
        {
            if (k == "unique_id" && uint.TryParse(v, out uint id)) o[k] = id;
            else o[k] = v;
        }
        if (line.Exception is not null) o["exception"] = line.Exception;
        return o;
    }

    /// <summary>The event's kind in vici's spelling (ike-updown, child-rekey …) plus what changed and why.</summary>
    public static JsonObject Event(SaEvent e)
    {
        var o = new JsonObject
        {
            ["time"] = e.Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
            ["event"] = KindName(e.Kind),
            ["connection"] = e.Connection,
        };
        if (e.IkeSaId != 0) o["ike_sa_id"] = e.IkeSaId;
        if (e.IkeState.Length > 0) o["state"] = e.IkeState;
        if (e.PreviousIkeState.Length > 0 && e.Kind is SaEventKind.IkeState) o["previous_state"] = e.PreviousIkeState;
        if (e.Kind is SaEventKind.IkeUp) o["up"] = true;
        if (e.Kind is SaEventKind.IkeDown or SaEventKind.ChildDown) o["up"] = false;
        if (e.Kind is SaEventKind.ChildUp) o["up"] = true;
        if (e.NewIkeSaId != 0) o["new_ike_sa_id"] = e.NewIkeSaId;
        if (e.Child.Length > 0)
        {
            o["child"] = e.Child;
            o["child_sa_id"] = e.ChildSaId;
            o["child_state"] = e.ChildState;
            if (e.Kind is SaEventKind.ChildState) o["previous_child_state"] = e.PreviousChildState;
        }
        if (e.NewChildSaId != 0) o["new_child_sa_id"] = e.NewChildSaId;
        if (e.LocalHost.Length > 0) o["local_host"] = e.LocalHost;
        if (e.RemoteHost.Length > 0) o["remote_host"] = e.RemoteHost;
        if (e.Kind is SaEventKind.IkeUpdate)
        {
            o["new_local"] = $"{e.NewLocalHost}[{e.NewLocalPort}]";
            o["new_remote"] = $"{e.NewRemoteHost}[{e.NewRemotePort}]";
        }
        if (e.Failure != SaFailure.None) o["failure"] = FailureName(e.Failure);
        if (e.Message.Length > 0) o["reason"] = e.Message;
        return o;
    }

    public static string KindName(SaEventKind kind) => kind switch
    {
        SaEventKind.IkeState => "ike-state",
        SaEventKind.IkeUp or SaEventKind.IkeDown => "ike-updown",
        SaEventKind.IkeRekey => "ike-rekey",
        SaEventKind.ChildState => "child-state",
        SaEventKind.ChildUp or SaEventKind.ChildDown => "child-updown",
        SaEventKind.ChildRekey => "child-rekey",
        SaEventKind.IkeUpdate => "ike-update",
        _ => "failure",
    };

    /// <summary>The failure label of events and metrics: proposal, ts, identity, timeout, other.</summary>
    public static string FailureName(SaFailure f) => f switch
    {
        SaFailure.Proposal => "proposal",
        SaFailure.TrafficSelector => "ts",
        SaFailure.Identity => "identity",
        SaFailure.Timeout => "timeout",
        SaFailure.None => "none",
        _ => "other",
    };
}
