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

    private long _rawReceiveCalls;
    private long _rawPacketsReceived;
    private long _rawSendCalls;
    private long _rawPacketsSent;

    /// <summary>Raw IP (protocol 50/51) receive system calls that returned packets (recvmmsg: several per call).</summary>
    public long RawReceiveCalls => Volatile.Read(ref _rawReceiveCalls);

    /// <summary>Packets those receive calls returned.</summary>
    public long RawPacketsReceived => Volatile.Read(ref _rawPacketsReceived);

    /// <summary>sendmmsg batches of plain ESP (two or more packets) handed to a raw socket.</summary>
    public long RawSendBatches => Volatile.Read(ref _rawSendCalls);

    /// <summary>Packets sent in those batches.</summary>
    public long RawPacketsSentBatched => Volatile.Read(ref _rawPacketsSent);

    /// <summary>A raw-socket reader got packets packets from one receive call (called by the host's reader threads).</summary>
    public void CountRawReceive(int packets)
    {
        Interlocked.Increment(ref _rawReceiveCalls);
        Interlocked.Add(ref _rawPacketsReceived, packets);
    }

    /// <summary>A batch of packets plain-ESP packets left with one sendmmsg (called by the host's send batches).</summary>
    public void CountRawSend(int packets)
    {
        Interlocked.Increment(ref _rawSendCalls);
        Interlocked.Add(ref _rawPacketsSent, packets);
    }

    /// <summary>
    /// Adds count drops the operating system made on the data plane's behalf (a full socket
    /// receive buffer or TUN queue: <see cref="DropReason.ReceiveQueueFull"/>, <see cref="DropReason.TunQueueFull"/>),
    /// read from the kernel's counters by the host's reader threads.
    /// </summary>
    public void CountDrops(DropReason reason, long count)
    {
        if (count > 0)
            Interlocked.Add(ref _drops[(int)reason], count);
    }

    internal void CountDrop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    internal void CountEncapsulated() => Interlocked.Increment(ref _encapsulated);

    internal void CountDecapsulated() => Interlocked.Increment(ref _decapsulated);
}
