using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Petrel.Demo;

/// <summary>
/// Opens a socket inside a network namespace from this process: setns(2) with CLONE_NEWNET
/// switches only the calling thread, and a socket stays in the namespace it was created in, so
/// a short-lived thread enters the namespace, creates the socket and ends.
/// </summary>
internal static class DemoNamespaceSocket
{
    private const int CloneNewNet = 0x40000000;

    public static Socket Create(string netns, AddressFamily family, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        string? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/run/netns/" + netns, FileMode.Open, FileAccess.Read);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    error = $"setns into {netns} failed (errno {Marshal.GetLastPInvokeError()})";
                    return;
                }
                socket = new Socket(family, type, protocol);
            }
            catch (IOException e) { error = e.Message; }
            catch (SocketException e) { error = e.Message; }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException(error ?? "socket creation failed in " + netns);
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);
}
