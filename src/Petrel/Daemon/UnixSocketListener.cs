using System.Net.Sockets;

namespace Petrel.Daemon;

/// <summary>
/// Binds the daemon's Unix stream sockets (the control socket, the vici socket): the directory is created
/// with mode 0700 when missing, a socket file left by a dead daemon is removed, and the socket file gets
/// mode 0600, so only its owner (normally root) may connect.
/// </summary>
public static class UnixSocketListener
{
    /// <param name="what">"control socket", "vici socket": for the one-line errors.</param>
    /// <exception cref="IOException">With a one-line reason when the socket cannot be bound.</exception>
    public static Socket Bind(string path, string what)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir))
        {
            try
            {
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot create {dir} for the {what}: {e.Message}");
            }
        }
        RemoveStale(path);

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(16);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw new IOException($"cannot listen on the {what} {path}: {e.Message}");
        }
        return listener;
    }

    /// <summary>A socket file left by a daemon that died is removed; one a live daemon answers on is not.</summary>
    private static void RemoveStale(string path)
    {
        if (!File.Exists(path))
            return;
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new IOException($"another daemon is already listening on {path}");
            }
            catch (SocketException)
            {
            }
        }
        File.Delete(path);
    }
}
