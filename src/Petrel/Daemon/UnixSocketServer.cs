using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Petrel.Daemon;

/// <summary>
/// What the daemon's Unix socket servers (the control socket, vici) share: binding through
/// <see cref="UnixSocketListener"/>, the accept loop that hands each client to the owner, and a shutdown that
/// stops accepting, waits for the clients being served and removes the socket file.
/// </summary>
internal sealed class UnixSocketServer : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _what;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    /// <param name="what">"control socket", "vici socket": for the log lines and one-line errors.</param>
    public UnixSocketServer(string path, string what, ILogger log)
    {
        _path = path;
        _what = what;
        _log = log;
    }

    /// <summary>Binds the socket. Throws <see cref="IOException"/> with a one-line reason when it cannot.</summary>
    /// <param name="serve">Serves one client until it leaves or the token is cancelled; null when it closed the client at once.</param>
    /// <param name="group">A group the socket file is given to, with mode 0660; null for 0600.</param>
    public void Start(Func<Socket, CancellationToken, Task?> serve, uint? group = null)
    {
        var listener = UnixSocketListener.Bind(_path, _what, group);
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener, serve, _stop.Token);
        _log.LogInformation("{What} listening on {Path}", _what, _path);
    }

    private async Task AcceptLoopAsync(Socket listener, Func<Socket, CancellationToken, Task?> serve, CancellationToken cancel)
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
                _log.LogWarning("{What} accept failed: {Error}", _what, e.Message);
                continue;
            }
            clients.RemoveAll(t => t.IsCompleted);
            if (serve(client, cancel) is { } served)
                clients.Add(served);
        }
        await Task.WhenAll(clients).ConfigureAwait(false);
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
            catch (Exception e) { _log.LogDebug("{What} loop ended: {Error}", _what, e.Message); }
        }
        try
        {
            if (_listener is not null) File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // After petrel { user = … } the socket's directory may no longer be ours; a restart as root replaces it.
            _log.LogDebug("cannot remove {Path}: {Error}", _path, e.Message);
        }
        _stop.Dispose();
    }
}
