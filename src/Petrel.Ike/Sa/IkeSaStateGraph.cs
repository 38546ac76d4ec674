namespace Petrel.Ike.Sa;

/// <summary>
/// The IKE SA state graph of SPEC.md §1 (strongSwan's ike_sa_state_t): CREATED → CONNECTING (initiate, or
/// IKE_SA_INIT received; a rekey's new SA while its CREATE_CHILD_SA is in flight) → ESTABLISHED (IKE_AUTH
/// done, or the rekey completed) ⇄ REKEYING → REKEYED; any live state → DELETING (delete sent or received)
/// → DESTROYING. A failure before the delete exchange (timeout, refused AUTH, lost collision) may go to
/// DESTROYING directly, as strongSwan's destroy does. DESTROYING is final. PASSIVE is an SA managed
/// elsewhere (strongSwan's HA): it can only be activated (ESTABLISHED) or ended.
/// </summary>
public static class IkeSaStateGraph
{
    /// <summary>True when <paramref name="from"/> → <paramref name="to"/> is an edge of the graph (never for from == to).</summary>
    public static bool Allows(IkeSaState from, IkeSaState to) => from switch
    {
        IkeSaState.Created => to is IkeSaState.Connecting or IkeSaState.Passive or IkeSaState.Destroying,
        IkeSaState.Connecting => to is IkeSaState.Established or IkeSaState.Deleting or IkeSaState.Destroying,
        IkeSaState.Established => to is IkeSaState.Rekeying or IkeSaState.Rekeyed or IkeSaState.Passive or IkeSaState.Deleting or IkeSaState.Destroying,
        IkeSaState.Passive => to is IkeSaState.Established or IkeSaState.Deleting or IkeSaState.Destroying,
        IkeSaState.Rekeying => to is IkeSaState.Established or IkeSaState.Rekeyed or IkeSaState.Deleting or IkeSaState.Destroying,
        IkeSaState.Rekeyed => to is IkeSaState.Deleting or IkeSaState.Destroying,
        IkeSaState.Deleting => to is IkeSaState.Destroying,
        _ => false,
    };
}
