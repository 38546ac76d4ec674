using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Privilege;

/// <summary>Process-wide hardening the daemon applies at start (issue 12, "least privilege and secrets").</summary>
public static class ProcessPrivileges
{
    /// <summary>
    /// PR_SET_DUMPABLE 0 (prctl(2)): no core dump is written, so none carries IKE or ESP keys, and processes of the
    /// same user cannot ptrace the daemon or read its /proc memory. Throws when the kernel refuses.
    /// </summary>
    public static void DisableCoreDumps()
    {
        if (LibC.Prctl(LibC.PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
            throw new IOException($"prctl(PR_SET_DUMPABLE, 0) failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>PR_GET_DUMPABLE: whether this process may dump core.</summary>
    public static bool IsDumpable => LibC.Prctl(LibC.PR_GET_DUMPABLE, 0, 0, 0, 0) != 0;

    /// <summary>For tests: PR_SET_DUMPABLE 1 again.</summary>
    internal static void EnableCoreDumps() => LibC.Prctl(LibC.PR_SET_DUMPABLE, 1, 0, 0, 0);
}
