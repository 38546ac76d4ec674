namespace Petrel.Ike.Sa;

/// <summary>
/// The CHILD_SA state graph (strongSwan's child_sa_state_t): CREATED → INSTALLING (keys derived) →
/// INSTALLED ⇄ REKEYING → REKEYED (replaced by a rekey, or the redundant SA of a collision);
/// INSTALLED/REKEYING/REKEYED → DELETING (delete sent) → DELETED; any → DESTROYING (removed from the data
/// plane), which is final. ROUTED (a trap), UPDATING (new addresses) and RETRYING (after TEMPORARY_FAILURE)
/// are strongSwan's states for the same SA object waiting on something else.
/// </summary>
public static class ChildSaStateGraph
{
    /// <summary>True when <paramref name="from"/> → <paramref name="to"/> is an edge of the graph (never for from == to).</summary>
    public static bool Allows(ChildSaState from, ChildSaState to) => from switch
    {
        ChildSaState.Created => to is ChildSaState.Routed or ChildSaState.Installing or ChildSaState.Retrying or ChildSaState.Destroying,
        ChildSaState.Routed => to is ChildSaState.Installing or ChildSaState.Destroying,
        ChildSaState.Retrying => to is ChildSaState.Installing or ChildSaState.Destroying,
        ChildSaState.Installing => to is ChildSaState.Installed or ChildSaState.Destroying,
        ChildSaState.Installed => to is ChildSaState.Updating or ChildSaState.Rekeying or ChildSaState.Rekeyed or ChildSaState.Deleting or ChildSaState.Destroying,
        ChildSaState.Updating => to is ChildSaState.Installed or ChildSaState.Deleting or ChildSaState.Destroying,
        ChildSaState.Rekeying => to is ChildSaState.Installed or ChildSaState.Rekeyed or ChildSaState.Deleting or ChildSaState.Destroying,
        ChildSaState.Rekeyed => to is ChildSaState.Deleting or ChildSaState.Destroying,
        ChildSaState.Deleting => to is ChildSaState.Deleted or ChildSaState.Destroying,
        ChildSaState.Deleted => to is ChildSaState.Destroying,
        _ => false,
    };
}
