namespace Petrel.Ike.Engine;

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
    // GetTimestamp() * TicksPerSecond overflowed (silently, unchecked) once the host was up longer than ~15 min
    // with a 1 GHz Stopwatch: Now jumped around and went negative, so lifetimes never fired or
    // LifetimeSchedule.At threw. Scale by the ratio instead of multiplying first.
    private static readonly double TicksPerTimestamp = (double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency;
    public TimeSpan Now => TimeSpan.FromTicks((long)(System.Diagnostics.Stopwatch.GetTimestamp() * TicksPerTimestamp));
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
