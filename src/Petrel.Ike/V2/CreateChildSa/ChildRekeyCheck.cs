using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// The responder's side of a CHILD_SA rekey (RFC 7296 §1.3.3, §2.8.1, §2.25): whether to refuse it,
/// and what answering it means for our own rekey of the same SA.
/// </summary>
internal static class ChildRekeyCheck
{
    /// <summary>The notify that refuses the peer's rekey of <paramref name="old"/>, or null to go ahead.</summary>
    public static NotifyType? Refuse(IIkeContext context, IkeSa sa, ChildSa old)
    {
        // §2.25.1: rekeying a CHILD_SA that is being deleted, or that we have already replaced ourselves.
        if (old.State is ChildSaState.Deleting or ChildSaState.Destroying || old.OurReplacement is not null || old.PeerReplacement is not null)
        {
            context.Log.Info(sa, $"peer rekeys CHILD_SA {old.Config.Name}{{{old.UniqueId}}}, which is already {StateNames.Of(old.State)}: sending CHILD_SA_NOT_FOUND");
            return NotifyType.ChildSaNotFound;
        }
        // §2.25.2: while we rekey the IKE SA, CHILD_SA rekeys wait.
        if (sa.State == IkeSaState.Rekeying || sa.Successor is not null)
        {
            context.Log.Info(sa, $"peer rekeys CHILD_SA {old.Config.Name}{{{old.UniqueId}}} while the IKE_SA is rekeying: sending TEMPORARY_FAILURE");
            return NotifyType.TemporaryFailure;
        }
        return null;
    }

    /// <summary>We answered the peer's rekey of <paramref name="old"/> with <paramref name="created"/>.</summary>
    public static void PeerRekeyed(IIkeContext context, IkeSa sa, ChildSa old, ChildSa created, byte[] ni, byte[] nr)
    {
        old.PeerReplacement = created;
        old.PeerNi = ni;
        old.PeerNr = nr;
        if (old.RekeyTask is { } ours && ReferenceEquals(sa.Outstanding?.Task, ours))
        {
            // §2.8.1: our own rekey of it is on the wire; its response decides which new SA stays.
            context.Log.Info(sa, $"CHILD_SA {old.Config.Name}{{{old.UniqueId}}} rekey collision: the peer rekeyed it as {{{created.UniqueId}}} too");
            return;
        }
        old.MoveTo(ChildSaState.Rekeyed);
        old.RekeyAt = LifetimeSchedule.Never;
        context.Log.Info(sa, $"CHILD_SA {old.Config.Name}{{{old.UniqueId}}} rekeyed by the peer as {{{created.UniqueId}}} with SPIs {created.SpiIn:x8}_i {created.SpiOut:x8}_o");
    }
}
