using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Petrel.Tests.Harness;

/// <summary>
/// Creates sockets inside a network namespace from this test process. A network namespace is a
/// per-thread attribute on Linux (setns(2) with CLONE_NEWNET affects only the calling thread), and
/// a socket belongs for life to the namespace it was created in; so a short-lived thread enters
/// the namespace, creates the socket, and exits. The socket can then be used from any thread.
/// </summary>
public static class NamespaceSocket
{
    private const int CloneNewNet = 0x40000000;

    public static Socket Create(string netns, AddressFamily family, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/run/netns/" + netns, FileMode.Open, FileAccess.Read);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}");
                socket = new Socket(family, type, protocol);
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        t.Start();
        t.Join();
        if (error is not null) throw new InvalidOperationException($"cannot create a socket in netns {netns}", error);
        return socket!;
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);
}
