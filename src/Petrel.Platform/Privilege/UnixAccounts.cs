using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Privilege;

/// <summary>Users and groups as the system's name service knows them (getgrnam(3)), and the groups of a running process.</summary>
public static class UnixAccounts
{
    public static uint EffectiveUid => LibC.GetEuid();

    /// <summary>The id of a group name, or a numeric id as given; null when no such group exists.</summary>
    public static uint? GroupId(string name)
    {
        if (uint.TryParse(name, out uint numeric))
            return numeric;
        nint entry = LibC.GetGrNam(name);
        if (entry == 0)
            return null;
        return (uint)Marshal.ReadInt32(entry, LibC.GroupGidOffset);
    }

    /// <summary>The uid and primary gid of a user name (getpwnam(3)); null when no such user exists.</summary>
    public static (uint Uid, uint Gid)? User(string name)
    {
        nint entry = LibC.GetPwNam(name);
        if (entry == 0)
            return null;
        return ((uint)Marshal.ReadInt32(entry, LibC.PasswdUidOffset), (uint)Marshal.ReadInt32(entry, LibC.PasswdGidOffset));
    }

    /// <summary>Gives a file to a group (owner unchanged), as chown(2) with owner −1.</summary>
    public static void SetGroup(string path, uint gid)
    {
        if (LibC.Chown(path, uint.MaxValue, gid) != 0)
            throw new IOException($"cannot give {path} to group {gid}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>The supplementary groups of a process ("Groups:" of /proc/PID/status); empty when it is gone.</summary>
    public static IReadOnlyList<uint> GroupsOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("Groups:", StringComparison.Ordinal))
                    continue;
                return [.. line["Groups:".Length..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse)];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return [];
    }
}
