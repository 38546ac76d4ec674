using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;

namespace Petrel.Platform.Host;

/// <summary>
/// Opens the ESP datagrams of one UDP GRO receive (up to 64 KB of equal-sized datagrams in one
/// buffer) on several threads (<see cref="PacketWorkerPool"/>): each worker checks the replay
/// window, verifies and decrypts its contiguous slice in place, with its own SA context lane
/// (<see cref="UserspaceKernel.OpenInboundDeferred"/>). Then, in datagram order on the receive
/// thread, each packet's window update is committed (<see cref="UserspaceKernel.CommitInbound"/>:
/// every sequence number accepted once, and the window never runs ahead of a slower worker) and
/// the inner packets go through the kernel's <see cref="InboundBatch"/>, so the TCP segments reach the TUN device in the order
/// they were sent. One instance per receive thread.
/// </summary>
public sealed class DatagramOpener : IPartitionedWork
{
    /// <summary>Most datagrams per receive handled here; more (tiny datagrams) take the serial path.</summary>
    public const int MaxDatagrams = 256;

    private readonly UserspaceKernel _kernel;
    private readonly PacketWorkerPool _pool;
    private readonly InboundTicket[] _ticket = new InboundTicket[MaxDatagrams];
    private readonly int[] _innerOffset = new int[MaxDatagrams];
    private readonly int[] _innerLength = new int[MaxDatagrams];
    private byte[] _buffer = [];
    private int _start;
    private int _length;
    private int _step;

    public DatagramOpener(UserspaceKernel kernel, PacketWorkerPool pool)
    {
        _kernel = kernel;
        _pool = pool;
    }

    /// <summary>Receives opened here (the rest went the serial way).</summary>
    public long Batches { get; private set; }

    /// <summary>
    /// Opens the datagrams of buffer[start..start+length] (each step bytes, the last maybe shorter).
    /// False (nothing done) unless every datagram is ESP of a tunnel-mode SA and there are enough of
    /// them to share: transport mode rebuilds a header in the bytes before its datagram, which
    /// belong to the previous datagram another worker may be reading.
    /// </summary>
    public bool TryOpen(byte[] buffer, int start, int length, int step, InboundBatch inbound)
    {
        if (step <= 0)
            return false;
        int count = (length + step - 1) / step;
        if (count < 2 * _pool.Workers || count > MaxDatagrams)
            return false;
        for (int i = 0; i < count; i++)
        {
            var datagram = buffer.AsSpan(start + i * step, Math.Min(step, length - i * step));
            if (UdpEncapsulation.Classify(datagram) != UdpDatagramKind.Esp || _kernel.RebuildsHeaderInPlace(datagram))
                return false;
        }
        _buffer = buffer;
        _start = start;
        _length = length;
        _step = step;
        try
        {
            _pool.Run(this, count);
        }
        finally
        {
            _buffer = [];
        }
        for (int i = 0; i < count; i++)
        {
            // Replay windows move in arrival order, as if one thread had opened them all.
            inbound.Commit(_ticket[i], buffer, _innerOffset[i], _innerLength[i]);
            _ticket[i] = default;
        }
        inbound.Flush();
        Batches++;
        return true;
    }

    /// <summary>Worker side: open datagrams [first, end) in place.</summary>
    public void Run(int worker, int first, int end)
    {
        for (int i = first; i < end; i++)
        {
            int off = _start + i * _step;
            int len = Math.Min(_step, _start + _length - off);
            _ticket[i] = _kernel.OpenInboundDeferred(_buffer, off, len, out _innerOffset[i], out _innerLength[i]);
        }
    }
}
