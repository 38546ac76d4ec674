using Petrel.DataPlane.Kernel;

namespace Petrel.Ike.Sa;

/// <summary>Lifetimes and rekeying state of a CHILD_SA (RFC 7296 §1.3.3, §2.8).</summary>
internal sealed partial class ChildSa
{
    /// <summary>Soft expiry (rekey) and hard expiry (delete), engine clock; <see cref="LifetimeSchedule.Never"/> when off.</summary>
    public TimeSpan RekeyAt { get; set; } = LifetimeSchedule.Never;
    public TimeSpan ExpireAt { get; set; } = LifetimeSchedule.Never;

    /// <summary>The CHILD_SA this one replaces (a rekey, either role).</summary>
    public ChildSa? Replaces { get; set; }

    /// <summary>
    /// As responder of a rekey, the new outbound SA is held back until the initiator deletes the old
    /// one: the initiator installs its new inbound SA only when our response arrives (strongSwan does the same).
    /// </summary>
    public SaSpec? PendingOutbound { get; set; }

    /// <summary>Our rekey exchange for this SA once it is on the wire.</summary>
    public ChildRekeyTask? RekeyTask { get; set; }

    /// <summary>The peer rekeyed this SA: the replacement and the nonces of that exchange (§2.8.1 collisions).</summary>
    public ChildSa? PeerReplacement { get; set; }
    public byte[] PeerNi { get; set; } = [];
    public byte[] PeerNr { get; set; } = [];

    /// <summary>
    /// Its soft lifetime has passed (or a rekey was asked for): a rekey is owed, even while it waits for the IKE SA's
    /// own rekey or for a retry after TEMPORARY_FAILURE. Once the IKE SA is rekeyed the owed rekey starts at once.
    /// </summary>
    public bool RekeyDue { get; set; }

    /// <summary>Our own completed rekey of this SA.</summary>
    public ChildSa? OurReplacement { get; set; }
}
