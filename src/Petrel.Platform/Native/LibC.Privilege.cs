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

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
