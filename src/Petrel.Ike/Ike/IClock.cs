namespace Petrel.Ike;

/// <summary>Monotonic time for timers (retransmission, lifetimes, DPD). Tests use a virtual clock.</summary>
public interface IClock
{
    /// <summary>Monotonic time since an arbitrary origin.</summary>
    TimeSpan Now { get; }

    /// <summary>Wall-clock time, for display only.</summary>
    DateTimeOffset UtcNow { get; }
}

public sealed class SystemClock : IClock
{
    public static readonly SystemClock Instance = new();
    public TimeSpan Now => TimeSpan.FromTicks(System.Diagnostics.Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
