using Petrel.Platform.Native;

namespace Petrel.Platform.Privilege;

/// <summary>What kind of file a path names, without following a symbolic link in its last component (statx(2)).</summary>
public static class FileKinds
{
    /// <summary>True when the path itself (not what a link points to) is a Unix socket; false when missing or anything else.</summary>
    public static unsafe bool IsSocket(string path)
    {
        byte* buffer = stackalloc byte[LibC.StatxSize];
        if (LibC.Statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_TYPE, buffer) != 0)
            return false;
        int mode = *(ushort*)(buffer + LibC.StatxModeOffset);
        return (mode & LibC.S_IFMT) == LibC.S_IFSOCK;
    }
}
