namespace Petrel.Ike.Sa;

/// <summary>CHILD_SA states (strongSwan's child_sa_state_t names, as list-sas shows them).</summary>
public enum ChildSaState
{
    Created,
    Routed,
    Installing,
    Installed,
    Updating,
    Rekeying,
    Rekeyed,
    Retrying,
    Deleting,
    Deleted,
    Destroying,
}
