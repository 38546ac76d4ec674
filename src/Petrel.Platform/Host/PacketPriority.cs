using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Host;

/// <summary>
/// The nice value of the data plane's packet threads (TUN and socket readers, seal/open helpers).
/// Kernel IPsec and WireGuard work on packets in softirq, ahead of every process; a userspace data
/// plane at the applications' priority competes with them, and on a host whose CPU is short (a
/// sender on the same host offering more than the tunnel carries, builds beside a gateway) it gets
/// the same share as each of them, so the tunnel carries less the more it is offered. A negative
/// value gives the packet threads the larger share: what they cannot take then waits, or is
/// dropped by the kernel, in front of the TUN device and the sockets before any of their CPU is
/// spent on it. Setting it needs CAP_SYS_NICE for values below the current one; refused, the
/// thread keeps its priority and the failure is reported to the caller once.
/// </summary>
public static class PacketPriority
{
    /// <summary>Sets the calling thread's nice value (0: leave it). Returns null, or why it was refused.</summary>
    public static string? Apply(int nice)
    {
        if (nice == 0)
            return null;
        if (LibC.SetPriority(LibC.PRIO_PROCESS, (uint)LibC.GetTid(), Math.Clamp(nice, -20, 19)) == 0)
            return null;
        return LibC.ErrorText(Marshal.GetLastPInvokeError());
    }

    /// <summary>The calling thread's nice value.</summary>
    public static int Current()
    {
        Marshal.SetLastPInvokeError(0);
        return LibC.GetPriority(LibC.PRIO_PROCESS, (uint)LibC.GetTid());
    }
}
