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

    /// <summary>Linux capability numbers (capability.h) the daemon may keep after dropping root.</summary>
    public const int CapNetBindService = 10, CapNetAdmin = 12, CapNetRaw = 13;

    /// <summary>
    /// Drops root for good (petrel { user = … }): supplementary groups, then real/effective/saved gid and uid become the
    /// user's on every thread (glibc applies set*id to all threads). Only the calling thread keeps capabilities, and only
    /// <paramref name="keep"/> (permitted, effective, inheritable and ambient, so programs it starts have them too); every
    /// other thread, and every thread they start, has none. Call it on the thread that changes routes and addresses.
    /// Throws when the kernel refuses a step; a failure half way leaves the process less privileged, never more.
    /// </summary>
    public static unsafe void DropTo(uint uid, uint gid, IReadOnlyList<int> keep)
    {
        Check(LibC.Prctl(LibC.PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS, 1)");
        try
        {
            uint group = gid;
            Check(LibC.SetGroups(1, &group), $"setgroups([{gid}])");
            Check(LibC.SetResGid(gid, gid, gid), $"setresgid({gid})");
            Check(LibC.SetResUid(uid, uid, uid), $"setresuid({uid})");
            uint mask = 0;
            foreach (int cap in keep)
                mask |= 1u << cap;
            uint* header = stackalloc uint[2] { LibC.CapabilityVersion3, 0 };
            uint* data = stackalloc uint[6] { mask, mask, mask, 0, 0, 0 };
            Check(LibC.CapSet(header, data), "capset");
            foreach (int cap in keep)
                Check(LibC.Prctl(LibC.PR_CAP_AMBIENT, LibC.PR_CAP_AMBIENT_RAISE, (nuint)cap, 0, 0), $"prctl(PR_CAP_AMBIENT_RAISE, {cap})");
        }
        finally
        {
            LibC.Prctl(LibC.PR_SET_KEEPCAPS, 0, 0, 0, 0);
        }
        // A change of credentials resets dumpability to the system's suid_dumpable; keys are still in memory.
        DisableCoreDumps();
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
            throw new IOException($"{what} failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>For tests: PR_SET_DUMPABLE 1 again.</summary>
    internal static void EnableCoreDumps() => LibC.Prctl(LibC.PR_SET_DUMPABLE, 1, 0, 0, 0);
}
