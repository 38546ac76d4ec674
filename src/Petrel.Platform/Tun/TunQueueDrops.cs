using System.Globalization;

namespace Petrel.Platform.Tun;

/// <summary>
/// Packets the kernel dropped at a TUN device because its queue to the reader was full
/// (drivers/net/tun.c counts them in the device's tx_dropped when the ring is full): the drops a
/// reader that falls behind causes, made before any of its CPU is spent on them. Read from
/// /sys/class/net/NAME/statistics/tx_dropped at most once a second (that allocates a little; never
/// per packet). The daemon runs with the namespace's own /sys (ip netns exec mounts it); where the
/// file is missing or belongs to another namespace's device of the same name the count is 0.
/// </summary>
public sealed class TunQueueDrops
{
    private readonly string _path;
    private long _last = -1;
    private long _nextPoll;

    public TunQueueDrops(string deviceName) => _path = $"/sys/class/net/{deviceName}/statistics/tx_dropped";

    /// <summary>Drops since the previous call that read the counter; 0 between reads (once a second).</summary>
    public long Poll()
    {
        long now = Environment.TickCount64;
        if (now < _nextPoll)
            return 0;
        _nextPoll = now + 1000;
        long value;
        try
        {
            value = long.Parse(File.ReadAllText(_path).AsSpan().Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return 0;
        }
        long delta = _last < 0 ? 0 : value - _last;
        _last = value;
        return delta > 0 ? delta : 0;
    }
}
