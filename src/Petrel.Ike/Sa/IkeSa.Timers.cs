namespace Petrel.Ike.Sa;

/// <summary>Where the SA stands in the engine's timer queue.</summary>
internal sealed partial class IkeSa
{
    /// <summary>
    /// The due time of this SA's live entry in the timer queue (<see cref="LifetimeSchedule.Never"/>: none). Entries
    /// with another time are stale and skipped; the engine recomputes it whenever something touched the SA.
    /// </summary>
    public TimeSpan NextDue { get; set; } = LifetimeSchedule.Never;
}
