using Petrel.DataPlane.Esp;

namespace Petrel.DataPlane.Pipeline;

/// <summary>Data-plane-wide counters: drops by reason and packets through each direction. Lock-free.</summary>
public sealed class DataPlaneStatistics
{
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private long _encapsulated;
    private long _decapsulated;

    public long Encapsulated => Volatile.Read(ref _encapsulated);
    public long Decapsulated => Volatile.Read(ref _decapsulated);

    public long Dropped(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>Every non-zero drop counter, for logs and metrics.</summary>
    public IReadOnlyDictionary<DropReason, long> Drops()
    {
        var result = new Dictionary<DropReason, long>();
        for (int i = 1; i < _drops.Length; i++)
        {
            long n = Volatile.Read(ref _drops[i]);
            if (n != 0)
                result[(DropReason)i] = n;
        }
        return result;
    }

    internal void CountDrop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    internal void CountEncapsulated() => Interlocked.Increment(ref _encapsulated);

    internal void CountDecapsulated() => Interlocked.Increment(ref _decapsulated);
}
