using System.Diagnostics;
using Petrel.Ike;
using Xunit;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// The daemon's clock: it used to multiply Stopwatch.GetTimestamp() by TicksPerSecond, which overflows once
/// the host has been up ~15 minutes (1 GHz Stopwatch), so Now went negative and lifetimes broke.
/// </summary>
public sealed class SystemClockTests
{
    [Fact]
    public void Now_matches_the_stopwatch_and_advances()
    {
        var expected = TimeSpan.FromSeconds((double)Stopwatch.GetTimestamp() / Stopwatch.Frequency);
        var a = SystemClock.Instance.Now;
        Assert.True(a > TimeSpan.Zero);
        Assert.InRange((a - expected).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Thread.Sleep(20);
        var b = SystemClock.Instance.Now;
        Assert.InRange(b - a, TimeSpan.FromMilliseconds(15), TimeSpan.FromSeconds(5));
        Assert.NotEqual(LifetimeSchedule.Never, LifetimeSchedule.At(b, TimeSpan.FromHours(4)));
    }
}
