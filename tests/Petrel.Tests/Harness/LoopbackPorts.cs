using System.Net;
using System.Net.Sockets;

namespace Petrel.Tests.Harness;

/// <summary>
/// Pairs of UDP ports (IKE, then NAT-T or RADIUS auth, then acct) for daemons and servers the tests start on
/// loopback. Test classes run in parallel: ports come from one counter per process, so no two classes ever
/// get the same pair, and below 32768, so they never meet the kernel's ephemeral ports; a pair something
/// else holds is skipped.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20000, Last = 32766;
    private static int _next = First + Random.Shared.Next(0, 2000) * 2;

    /// <summary>An even port p such that p and p + 1 are free for UDP on every address.</summary>
    public static int NextPair()
    {
        for (int i = 0; i < (Last - First) / 2; i++)
        {
            int port = Interlocked.Add(ref _next, 2);
            if (port > Last)
            {
                Interlocked.CompareExchange(ref _next, First, port);
                continue;
            }
            if (Free(port) && Free(port + 1))
                return port;
        }
        throw new InvalidOperationException("no free UDP port pair below 32768");
    }

    private static bool Free(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
