namespace Petrel.Ike.Sa;

/// <summary>IKE SA states exactly as SPEC.md §1 lists them (strongSwan's ike_sa_state_t names).</summary>
public enum IkeSaState
{
    Created,
    Connecting,
    Established,
    Passive,
    Rekeying,
    Rekeyed,
    Deleting,
    Destroying,
}
