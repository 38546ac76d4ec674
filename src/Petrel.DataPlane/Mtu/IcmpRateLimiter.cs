namespace Petrel.DataPlane.Mtu;

/// <summary>
/// Limits the ICMP errors the data plane generates (RFC 1812 §4.3.2.8, RFC 4443 §2.4 (f)): a
/// token bucket of <c>burst</c> errors refilled at <c>perSecond</c>, kept as one theoretical
/// arrival time (GCRA) updated with compare-and-swap, so packet threads never lock.
/// </summary>
public sealed class IcmpRateLimiter
{
    private readonly long _intervalMs;
    private readonly long _toleranceMs;
    private long _theoreticalArrivalMs = long.MinValue;

    public IcmpRateLimiter(int perSecond = 100, int burst = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _intervalMs = Math.Max(1, 1000 / perSecond);
        _toleranceMs = _intervalMs * (burst - 1);
    }

    /// <summary>True if one more error may be sent at nowMs (a monotonic millisecond clock).</summary>
    public bool TryAcquire(long nowMs)
    {
        while (true)
        {
            long tat = Volatile.Read(ref _theoreticalArrivalMs);
            long start = tat == long.MinValue || tat < nowMs ? nowMs : tat;
            if (start - nowMs > _toleranceMs)
                return false;
            if (Interlocked.CompareExchange(ref _theoreticalArrivalMs, start + _intervalMs, tat) == tat)
                return true;
        }
    }
}
