using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Petrel.Daemon;

/// <summary>
/// The control socket: a Unix domain stream socket (mode 0600, so only its owner, normally root,
/// may drive the daemon or read exported keys). Each line a client sends is one JSON request;
/// each gets one JSON line back. Lines are bounded so a misbehaving client cannot exhaust memory.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private const int MaxLineBytes = 64 * 1024;

    /// <summary>Quotes and apostrophes stay readable (the socket is local; nothing here is HTML).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _path;
    private readonly ControlHandler _handler;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    public ControlServer(string path, ControlHandler handler, ILogger<ControlServer> log)
    {
        _path = path;
        _handler = handler;
        _log = log;
    }

    public string Path => _path;

    /// <summary>Binds the socket. Throws <see cref="IOException"/> with a one-line reason when it cannot.</summary>
    public void Start()
    {
        var listener = UnixSocketListener.Bind(_path, "control socket");
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener, _stop.Token);
        _log.LogInformation("control socket listening on {Path}", _path);
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancel)
    {
        var clients = new List<Task>();
        while (!cancel.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                _log.LogWarning("control socket accept failed: {Error}", e.Message);
                continue;
            }
            clients.RemoveAll(t => t.IsCompleted);
            clients.Add(ServeAsync(client, cancel));
        }
        await Task.WhenAll(clients).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client, CancellationToken cancel)
    {
        using var _ = client;
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
                    var response = await AnswerAsync(text, cancel).ConfigureAwait(false);
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

    private async Task<ControlResponse> AnswerAsync(string text, CancellationToken cancel)
    {
        var request = ControlRequest.TryParse(text, out string error);
        if (request is null)
            return ControlResponse.Failure(error);
        return await _handler.HandleAsync(request, cancel).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            try { await _acceptLoop.ConfigureAwait(false); }
            catch (Exception e) { _log.LogDebug("control socket loop ended: {Error}", e.Message); }
        }
        try
        {
            if (_listener is not null) File.Delete(_path);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }
}
