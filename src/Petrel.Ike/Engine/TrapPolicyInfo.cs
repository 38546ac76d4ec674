namespace Petrel.Ike.Engine;

/// <summary>One trap policy as list-pols shows it (like swanctl --list-pols).</summary>
public sealed class TrapPolicyInfo
{
    public required string Connection { get; init; }
    public required string Child { get; init; }
    public uint ReqId { get; init; }
    public required string Mode { get; init; }
    public IReadOnlyList<string> LocalTs { get; init; } = [];
    public IReadOnlyList<string> RemoteTs { get; init; } = [];

    /// <summary>"trap": no CHILD_SA; "active": a CHILD_SA holds the reqid now.</summary>
    public required string State { get; init; }

    /// <summary>True for traps installed by dpd_action or close_action (gone once the CHILD_SA is back).</summary>
    public bool Temporary { get; init; }
    public long Acquires { get; init; }
}
