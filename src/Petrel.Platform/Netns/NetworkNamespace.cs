using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Netns;

/// <summary>
/// Moves the calling thread into a named network namespace (as `ip netns` creates them under
/// /var/run/netns). Linux keeps the network namespace per thread, so sockets and TUN devices the
/// thread opens afterwards, threads it starts and processes it spawns all live there. For
/// `petrel demo` and the namespace tests; needs CAP_SYS_ADMIN.
/// </summary>
public static class NetworkNamespace
{
    public static void EnterOnCurrentThread(string name)
    {
        string path = $"/var/run/netns/{name}";
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
            throw new IOException($"open {path}: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        try
        {
            if (LibC.SetNs(fd, LibC.CLONE_NEWNET) != 0)
                throw new IOException($"setns {name}: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
