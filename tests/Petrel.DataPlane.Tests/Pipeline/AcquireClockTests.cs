using System.Net;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>
/// Trap policies across a wall-clock step (issue 12, "Faults"): the acquire limiter (one per second per policy)
/// runs on the monotonic clock, so a step back of the date does not hold acquires back.
/// </summary>
public class AcquireClockTests
{
    /// <summary>A clock whose date the test steps at will, while its monotonic timestamp only moves forward.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        public DateTimeOffset Wall { get; set; } = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        public long Monotonic { get; set; } = 1_000_000;

        public override DateTimeOffset GetUtcNow() => Wall;
        public override long GetTimestamp() => Monotonic;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    [Theory]
    [InlineData(-3600)] // NTP or an operator set the date an hour back
    [InlineData(3600)]
    public void A_step_of_the_date_neither_stalls_nor_floods_acquires(int stepSeconds)
    {
        var clock = new SteppedClock();
        using var k = new UserspaceKernel(new CapturingTransport(), new CapturingTunnel(), algorithms: TestAlgorithmProvider.Instance, time: clock);
        var acquires = new List<AcquireEvent>();
        k.Acquire += acquires.Add;
        k.InstallPolicy(new PolicySpec
        {
            ReqId = 7, LocalTs = [TrafficSelector.Parse("10.1.0.0/24")], RemoteTs = [TrafficSelector.Parse("10.2.0.0/24")],
            Action = PolicyAction.Protect, LocalAddress = IPAddress.Parse("198.18.0.1"), RemoteAddress = IPAddress.Parse("198.18.0.2"),
        });
        var ping = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1");

        KernelPair.Send(k, ping);
        Assert.Single(acquires);

        clock.Wall = clock.Wall.AddSeconds(stepSeconds);
        clock.Monotonic += TimeSpan.FromMilliseconds(500).Ticks;
        KernelPair.Send(k, ping);
        Assert.Single(acquires); // half a second later: still limited, whatever the date did

        clock.Monotonic += TimeSpan.FromMilliseconds(600).Ticks;
        KernelPair.Send(k, ping);
        Assert.Equal(2, acquires.Count); // 1.1 s after the first: the trap asks again
    }
}
