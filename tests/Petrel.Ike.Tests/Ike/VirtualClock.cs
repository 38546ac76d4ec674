using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

/// <summary>Time that moves only when a test says so.</summary>
internal sealed class VirtualClock : IClock
{
    private static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(1000);
    public DateTimeOffset UtcNow => Origin + Now;
    public void Advance(TimeSpan by) => Now += by;
}
