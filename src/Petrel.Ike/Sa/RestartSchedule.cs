namespace Petrel.Ike.Sa;

/// <summary>
/// A connection's child that dpd_action / close_action = restart keeps bringing back: re-initiated at
/// once, then again after each failed attempt with a doubling delay (capped), until it is up.
/// </summary>
internal sealed class RestartSchedule
{
    public required string Connection { get; init; }
    public required string Child { get; init; }
    public int Attempts { get; set; }
    public TimeSpan Due { get; set; }
    public bool InFlight { get; set; }

    /// <summary>Delay before attempt n+1 after n failures: base × 2^(n-1), at most max.</summary>
    public static TimeSpan Backoff(TimeSpan baseDelay, TimeSpan max, int failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        double factor = Math.Pow(2, Math.Min(failures - 1, 20));
        var d = TimeSpan.FromTicks((long)Math.Min(baseDelay.Ticks * factor, max.Ticks));
        return d;
    }
}
