using Petrel.Platform.Privilege;

namespace Petrel.Daemon;

/// <summary>
/// Who may do what on the control socket (issue 12). The kernel tells who connected (SO_PEERCRED): root and the
/// daemon's own user may use every command; members of <c>petrel { socket_group = … }</c> only the read-only ones;
/// nobody else anything. <c>export-keys</c> also needs <c>petrel { export_keys = yes }</c>.
/// </summary>
/// <param name="OwnerUid">The daemon's effective uid.</param>
/// <param name="ReadOnlyGid">The group of socket_group, null when not set.</param>
public sealed record ControlAccess(uint OwnerUid, uint? ReadOnlyGid = null, bool ExportKeys = false)
{
    /// <summary>Commands that show state and change nothing.</summary>
    public static readonly string[] ReadOnlyCommands = ["version", "list-sas", "list-conns", "list-pools", "list-pols", "stats", "log"];

    /// <summary>A daemon run by a test without privileges: its own user may do everything, export included.</summary>
    public static ControlAccess Owner(bool exportKeys = false) => new(UnixAccounts.EffectiveUid, null, exportKeys);

    /// <summary>Null when the caller may run the command, else the refusal the client prints.</summary>
    /// <param name="groupsOf">The supplementary groups of a process id (tests substitute it).</param>
    public string? Refusal(PeerCredentials? caller, string command, Func<int, IReadOnlyList<uint>>? groupsOf = null)
    {
        if (caller is not { } c)
            return "the control socket cannot tell who is calling (no SO_PEERCRED): refused";
        bool full = c.Uid == 0 || c.Uid == OwnerUid;
        if (!full)
        {
            bool member = ReadOnlyGid is { } gid && (c.Gid == gid || (groupsOf ?? UnixAccounts.GroupsOf)(c.Pid).Contains(gid));
            if (!member)
                return $"uid {c.Uid} may not use the control socket";
            if (Array.IndexOf(ReadOnlyCommands, command) < 0)
                return $"uid {c.Uid} may use only the read-only commands ({string.Join(", ", ReadOnlyCommands)}), not '{command}'";
        }
        if (command == "export-keys" && !ExportKeys)
            return "export-keys is off: set petrel { export_keys = yes } to allow it";
        return null;
    }
}
