using System.Runtime.InteropServices;

namespace Petrel.Platform.Native;

/// <summary>The calls of <see cref="Privilege"/>: process dumpability and file types without following links.</summary>
internal static unsafe partial class LibC
{
    public const int PR_GET_DUMPABLE = 3;
    public const int PR_SET_DUMPABLE = 4;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_TYPE = 0x1;
    /// <summary>struct statx: stx_mode (u16) sits after stx_mask, stx_blksize, stx_attributes, stx_nlink, stx_uid, stx_gid.</summary>
    public const int StatxModeOffset = 28;
    public const int StatxSize = 256;
    public const int S_IFMT = 0xF000;
    public const int S_IFSOCK = 0xC000;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>struct group: gr_name, gr_passwd (pointers), then gid_t gr_gid.</summary>
    public static readonly int GroupGidOffset = 2 * IntPtr.Size;

    [LibraryImport("libc", EntryPoint = "getgrnam", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetGrNam(string name);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    public const int PR_SET_KEEPCAPS = 8;
    public const int PR_CAP_AMBIENT = 47;
    public const int PR_CAP_AMBIENT_RAISE = 2;
    /// <summary>_LINUX_CAPABILITY_VERSION_3: two 32-bit words per set.</summary>
    public const uint CapabilityVersion3 = 0x20080522;

    /// <summary>struct passwd: pw_name, pw_passwd (pointers), then uid_t pw_uid and gid_t pw_gid.</summary>
    public static readonly int PasswdUidOffset = 2 * IntPtr.Size;
    public static readonly int PasswdGidOffset = 2 * IntPtr.Size + 4;

    [LibraryImport("libc", EntryPoint = "getpwnam", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetPwNam(string name);

    // glibc runs these three on every thread of the process (its setxid broadcast), so no thread stays root.
    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    public static partial int SetGroups(nuint size, uint* groups);

    [LibraryImport("libc", EntryPoint = "setresgid", SetLastError = true)]
    public static partial int SetResGid(uint rgid, uint egid, uint sgid);

    [LibraryImport("libc", EntryPoint = "setresuid", SetLastError = true)]
    public static partial int SetResUid(uint ruid, uint euid, uint suid);

    /// <summary>capset(2) for the calling thread: header {version, pid 0}, data[2] {effective, permitted, inheritable}.</summary>
    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    public static partial int CapSet(uint* header, uint* data);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
