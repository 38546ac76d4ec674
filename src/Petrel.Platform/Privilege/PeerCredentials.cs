using System.Net.Sockets;

namespace Petrel.Platform.Privilege;

/// <summary>The process at the other end of a connected Unix socket, as the kernel recorded it at connect (SO_PEERCRED, unix(7)).</summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1, SoPeerCred = 17;

    /// <summary>Reads struct ucred { pid_t pid; uid_t uid; gid_t gid; } of a connected Unix stream socket; null when the kernel gives none.</summary>
    public static PeerCredentials? Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        int n;
        try
        {
            n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        }
        catch (SocketException)
        {
            return null;
        }
        if (n < 12)
            return null;
        return new PeerCredentials(
            BitConverter.ToInt32(ucred),
            BitConverter.ToUInt32(ucred[4..]),
            BitConverter.ToUInt32(ucred[8..]));
    }
}
