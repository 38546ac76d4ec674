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

    private long _tunTcpGsoWrites;
    private long _tunTcpCoalesced;
    private long _tunUdpGsoWrites;
    private long _tunUdpCoalesced;
    private int _tunUdpGsoRefused;

    /// <summary>How decrypted UDP reaches the tunnel device: "gso" (GSO_UDP_L4, several datagrams of a flow per write), "single" (one per write), "none" (no offload device).</summary>
    public string TunUdpWrites
    {
        get => Volatile.Read(ref _tunUdpGsoRefused) != 0 ? "single (the device refused a GSO_UDP_L4 write)" : _tunUdpWrites;
        set => _tunUdpWrites = value;
    }

    private string _tunUdpWrites = "none";

    /// <summary>TCP GSO writes to the tunnel device (two or more segments each).</summary>
    public long TunTcpGsoWrites => Volatile.Read(ref _tunTcpGsoWrites);

    /// <summary>TCP segments carried in those writes.</summary>
    public long TunTcpCoalesced => Volatile.Read(ref _tunTcpCoalesced);

    /// <summary>GSO_UDP_L4 writes to the tunnel device (two or more datagrams each).</summary>
    public long TunUdpGsoWrites => Volatile.Read(ref _tunUdpGsoWrites);

    /// <summary>UDP datagrams carried in those writes.</summary>
    public long TunUdpCoalesced => Volatile.Read(ref _tunUdpCoalesced);

    internal void CountTunGso(long tcpWrites, long tcpSegments, long udpWrites, long udpDatagrams)
    {
        if (tcpWrites != 0)
        {
            Interlocked.Add(ref _tunTcpGsoWrites, tcpWrites);
            Interlocked.Add(ref _tunTcpCoalesced, tcpSegments);
        }
        if (udpWrites != 0)
        {
            Interlocked.Add(ref _tunUdpGsoWrites, udpWrites);
            Interlocked.Add(ref _tunUdpCoalesced, udpDatagrams);
        }
    }

    internal void CountTunUdpGsoRefused() => Volatile.Write(ref _tunUdpGsoRefused, 1);

    internal void CountDrop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    internal void CountEncapsulated() => Interlocked.Increment(ref _encapsulated);

    internal void CountDecapsulated() => Interlocked.Increment(ref _decapsulated);
}
