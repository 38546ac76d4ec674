using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Petrel.Daemon;

namespace Petrel.Cli;

/// <summary>
/// `petrel log`: the daemon's log live over the control socket (like `swanctl --log`), one record per line
/// in the text format (or the daemon's JSON lines with --json), until interrupted or the daemon stops.
/// </summary>
public static class LogStream
{
    public static int Run(string socketPath, string level, bool events, bool json, TextWriter stdout, CancellationToken cancel)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            throw new CliException($"cannot reach the daemon at {socketPath}: {(File.Exists(socketPath) ? e.Message : "No such file or directory")}");
        }
        using var stream = new NetworkStream(socket, ownsSocket: false);
        stream.Write(Encoding.UTF8.GetBytes(new ControlRequest("log", Level: level, Events: events).ToJson().ToJsonString() + "\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var _ = cancel.Register(() => socket.Dispose());
        string? first;
        try
        {
            first = reader.ReadLine();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return 0;
        }
        if (first is null)
            throw new CliException($"the daemon at {socketPath} closed the connection without answering");
        var answer = ControlResponse.Parse(first);
        if (!answer.Ok)
            throw new CliException(answer.Error ?? "log failed");
        try
        {
            while (reader.ReadLine() is { } line)
            {
                if (json)
                {
                    stdout.WriteLine(line);
                }
                else if (JsonNode.Parse(line) is JsonObject o)
                {
                    stdout.WriteLine(o["log"] is JsonObject l ? LogText(l) : o["event"] is JsonObject e ? EventText(e) : $"({o["dropped"]} lines dropped: this client read too slowly)");
                }
                stdout.Flush();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // interrupted, or the daemon went away
        }
        return 0;
    }

    /// <summary>The daemon's text format: "time level category: message field=value …".</summary>
    public static string LogText(JsonObject l)
    {
        var b = new StringBuilder();
        b.Append((string?)l["time"]).Append(' ').Append(((string?)l["level"] ?? "").PadRight(5)).Append(' ')
            .Append((string?)l["category"]).Append(": ").Append((string?)l["message"]);
        foreach (var (k, v) in l)
        {
            if (k is "time" or "level" or "category" or "message") continue;
            b.Append(' ').Append(k).Append('=').Append(v?.ToString());
        }
        return b.ToString();
    }

    /// <summary>"time event connection[ike id] {child id} state (reason)".</summary>
    public static string EventText(JsonObject e)
    {
        var b = new StringBuilder();
        b.Append((string?)e["time"]).Append(" event ").Append((string?)e["event"]).Append(' ').Append((string?)e["connection"]);
        if (e["ike_sa_id"] is { } id) b.Append('[').Append(id.ToString()).Append(']');
        if (e["child"] is { } child) b.Append(' ').Append(child.ToString()).Append('{').Append(e["child_sa_id"]?.ToString()).Append('}');
        if (e["up"] is { } up) b.Append(up.GetValue<bool>() ? " up" : " down");
        if (e["child_state"] is { } cs) b.Append(' ').Append(cs.ToString());
        else if (e["state"] is { } s) b.Append(' ').Append(s.ToString());
        if (e["failure"] is { } f) b.Append(" failure=").Append(f.ToString());
        if (e["reason"] is { } r) b.Append(" (").Append(r.ToString()).Append(')');
        return b.ToString();
    }
}
