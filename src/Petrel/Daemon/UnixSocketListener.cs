using System.Net.Sockets;

namespace Petrel.Daemon;

/// <summary>
/// Binds the daemon's Unix stream sockets (the control socket, the vici socket): the directory is created
/// with mode 0700 when missing, a socket file left by a dead daemon is removed (only a socket: a regular file,
/// a directory or a symbolic link at the path is left alone and the bind refused), and the socket file gets
/// mode 0600, so only its owner (normally root) may connect, or 0660 and a group when one is given.
/// </summary>
public static class UnixSocketListener
{
    /// <param name="what">"control socket", "vici socket": for the one-line errors.</param>
    /// <exception cref="IOException">With a one-line reason when the socket cannot be bound.</exception>
    /// <param name="group">A group the socket file is given to, with mode 0660; null for 0600.</param>
    public static Socket Bind(string path, string what, uint? group = null)
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
            if (group is { } gid)
            {
                Petrel.Platform.Privilege.UnixAccounts.SetGroup(path, gid);
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }
            else
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
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
        bool present = File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;
        if (!present)
            return;
        // Never delete what is not a socket: a mistyped path must not cost a file, and a link must not be followed.
        if (!Petrel.Platform.Privilege.FileKinds.IsSocket(path))
            throw new IOException($"{path} exists and is not a socket: not removed, choose another path or remove it");
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
