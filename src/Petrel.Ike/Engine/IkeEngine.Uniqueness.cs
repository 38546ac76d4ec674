namespace Petrel.Ike.Engine;

/// <summary>
/// The connection's unique policy, checked when an IKE SA authenticates (strongSwan's check_uniqueness):
/// a duplicate is another IKE SA of the same connection with the same identity pair.
/// <list type="bullet">
/// <item>never: duplicates are allowed, even INITIAL_CONTACT does not remove old SAs.</item>
/// <item>no (default): duplicates are allowed; INITIAL_CONTACT (RFC 7296 §2.4) removes the peer's stale SAs.</item>
/// <item>replace: established duplicates are deleted (a DELETE goes to the peer).</item>
/// <item>keep: the new IKE SA is refused while an established duplicate exists (AUTHENTICATION_FAILED).</item>
/// </list>
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>Returns true when the new SA must be cancelled (unique = keep and a duplicate is established).</summary>
    internal bool CheckUniqueness(IkeSa sa, bool initialContact)
    {
        string policy = sa.Config.Unique.ToLowerInvariant();
        if (policy == "never") return false;
        if (initialContact) DestroyStaleSas(sa);
        if (policy is not ("replace" or "keep")) return false;
        bool cancel = false;
        foreach (var other in _sas.OfConnection(sa.Name).ToList())
        {
            if (ReferenceEquals(other, sa) || other.State is not (IkeSaState.Established or IkeSaState.Rekeying)) continue;
            if (other.RemoteId is null || other.LocalId is null || !other.RemoteId.Equals(sa.RemoteId) || !other.LocalId.Equals(sa.LocalId)) continue;
            if (policy == "keep")
            {
                Log.Info(sa, $"keeping IKE_SA {other.Tag} for peer '{sa.RemoteId}' due to uniqueness policy, cancelling {sa.Tag}");
                cancel = true;
                // Like strongSwan: keep the first duplicate, delete any further ones.
                policy = "replace";
                continue;
            }
            Log.Info(sa, $"deleting duplicate IKE_SA {other.Tag} for peer '{sa.RemoteId}' due to uniqueness policy");
            AbortQueued(other, "replaced due to uniqueness policy");
            Queue(other, InformationalTask.DeleteIkeSa(this, null));
        }
        return cancel;
    }
}
