using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Petrel.Daemon;

/// <summary>
/// The control socket: a Unix domain stream socket (mode 0600, so only its owner, normally root,
/// may drive the daemon or read exported keys). Each line a client sends is one JSON request;
/// each gets one JSON line back. Lines are bounded so a misbehaving client cannot exhaust memory.
/// The one exception is "log" (`petrel log`, like `swanctl --log`): after its answer the connection carries
/// the daemon's live log ({"log":{…}} per line, the <see cref="Events.FeedJson.Log"/> shape) and, with
/// "events":true, the SA events ({"event":{…}}) until the client closes it or the daemon stops. A client
/// that reads too slowly loses lines (its queue is bounded; a {"dropped":N} line says how many), it never
/// slows the daemon.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private const int MaxLineBytes = 64 * 1024;

    /// <summary>Quotes and apostrophes stay readable (the socket is local; nothing here is HTML).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _path;
    private readonly ControlHandler _handler;
    private readonly ILogger _log;
    private readonly UnixSocketServer _server;

    private readonly Events.EventHub? _feed;

    private readonly uint? _group;

    /// <param name="group">petrel.socket_group's id: the socket file is given to it with mode 0660 (members get the read-only commands).</param>
    public ControlServer(string path, ControlHandler handler, ILogger<ControlServer> log, Events.EventHub? feed = null, uint? group = null)
    {
        _group = group;
        _path = path;
        _handler = handler;
        _log = log;
        _feed = feed;
        _server = new UnixSocketServer(path, "control socket", log);
    }

    public string Path => _path;

    /// <summary>Binds the socket. Throws <see cref="IOException"/> with a one-line reason when it cannot.</summary>
    public void Start() => _server.Start(ServeAsync, _group);

    private async Task ServeAsync(Socket client, CancellationToken cancel)
    {
        using var _ = client;
        // unix(7): the credentials of the process that connected, recorded by the kernel at connect().
        var caller = Petrel.Platform.Privilege.PeerCredentials.Of(client);
        await using var stream = new NetworkStream(client, ownsSocket: false);
        var buffer = new byte[4096];
        var line = new MemoryStream();
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                int n = await stream.ReadAsync(buffer, cancel).ConfigureAwait(false);
                if (n == 0)
                    return;
                int start = 0;
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] != (byte)'\n')
                        continue;
                    line.Write(buffer, start, i - start);
                    start = i + 1;
                    string text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).Trim();
                    line.SetLength(0);
                    if (text.Length == 0)
                        continue;
                    if (ControlRequest.TryParse(text, out string _parseError) is { Command: "log" } logRequest
                        && _handler.Refusal(caller, "log") is null)
                    {
                        await StreamLogAsync(logRequest, stream, cancel).ConfigureAwait(false);
                        return;
                    }
                    var response = await AnswerAsync(text, caller, cancel).ConfigureAwait(false);
                    byte[] bytes = Encoding.UTF8.GetBytes(response.ToJson().ToJsonString(Json) + "\n");
                    await stream.WriteAsync(bytes, cancel).ConfigureAwait(false);
                }
                line.Write(buffer, start, n - start);
                if (line.Length > MaxLineBytes)
                {
                    var error = ControlResponse.Failure($"request longer than {MaxLineBytes} bytes");
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(error.ToJson().ToJsonString(Json) + "\n"), cancel).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away or the daemon is stopping.
        }
    }

    /// <summary>"log": answers, then writes feed items as JSON lines until the client goes or the daemon stops.</summary>
    private async Task StreamLogAsync(ControlRequest request, NetworkStream stream, CancellationToken cancel)
    {
        async Task WriteAsync(System.Text.Json.Nodes.JsonNode node) =>
            await stream.WriteAsync(Encoding.UTF8.GetBytes(node.ToJsonString(Json) + "\n"), cancel).ConfigureAwait(false);
        if (_feed is null)
        {
            await WriteAsync(ControlResponse.Failure("this daemon has no log feed").ToJson()).ConfigureAwait(false);
            return;
        }
        var level = Microsoft.Extensions.Logging.LogLevel.Information;
        if (request.Level is { } text && !Events.LogFields.TryParseLevel(text, out level))
        {
            await WriteAsync(ControlResponse.Failure($"unknown log level '{text}' (trace, debug, info, warn, error, crit)").ToJson()).ConfigureAwait(false);
            return;
        }
        using var subscription = _feed.Subscribe(request.Events, level);
        await WriteAsync(ControlResponse.Success($"streaming the log at level {Events.LogFields.Level(level)}{(request.Events ? " and SA events" : "")}").ToJson()).ConfigureAwait(false);
        // The client sends nothing more; its end of file (or a reset) ends the stream.
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _ = Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                while (await stream.ReadAsync(buffer, gone.Token).ConfigureAwait(false) > 0) { }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
            gone.Cancel();
        }, CancellationToken.None);
        long reportedDrops = 0;
        try
        {
            await foreach (var item in subscription.Reader.ReadAllAsync(gone.Token).ConfigureAwait(false))
            {
                long dropped = subscription.Dropped;
                if (dropped != reportedDrops)
                {
                    await WriteAsync(new System.Text.Json.Nodes.JsonObject { ["dropped"] = dropped - reportedDrops }).ConfigureAwait(false);
                    reportedDrops = dropped;
                }
                if (item.Log is { } line) await WriteAsync(new System.Text.Json.Nodes.JsonObject { ["log"] = Events.FeedJson.Log(line) }).ConfigureAwait(false);
                else if (item.Event is { } e) await WriteAsync(new System.Text.Json.Nodes.JsonObject { ["event"] = Events.FeedJson.Event(e) }).ConfigureAwait(false);
            }
        }
        finally
        {
            gone.Cancel();
        }
    }

    private async Task<ControlResponse> AnswerAsync(string text, Petrel.Platform.Privilege.PeerCredentials? caller, CancellationToken cancel)
    {
        var request = ControlRequest.TryParse(text, out string error);
        if (request is null)
            return ControlResponse.Failure(error);
        return await _handler.HandleAsync(request, cancel, caller).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
