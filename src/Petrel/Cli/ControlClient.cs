using System.Net.Sockets;
using System.Text;
using Petrel.Daemon;

namespace Petrel.Cli;

/// <summary>The CLI side of the control socket: one request, one response line.</summary>
public static class ControlClient
{
    public static async Task<ControlResponse> SendAsync(string socketPath, ControlRequest request, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new CliException($"cannot reach the daemon at {socketPath}: {Reason(socketPath, e)}");
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        try
        {
            byte[] bytes = Encoding.UTF8.GetBytes(request.ToJson().ToJsonString() + "\n");
            await stream.WriteAsync(bytes, deadline.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            string? line = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            if (line is null)
                throw new CliException($"the daemon at {socketPath} closed the connection without answering");
            return ControlResponse.Parse(line);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new CliException($"the daemon at {socketPath} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new CliException($"lost the connection to the daemon at {socketPath}: {e.Message}");
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new CliException($"the daemon at {socketPath} sent an answer Petrel cannot read: {e.Message}");
        }
    }

    /// <summary>The strerror-style reason, as the C library would print it.</summary>
    private static string Reason(string path, SocketException e)
    {
        // .NET reports a missing socket file (ENOENT) as "address not available".
        if (!File.Exists(path))
            return "No such file or directory";
        return e.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "Connection refused (no daemon is listening)",
            SocketError.AccessDenied => "Permission denied",
            _ => e.Message,
        };
    }
}
