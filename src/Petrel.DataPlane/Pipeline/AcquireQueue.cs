using System.Buffers;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// Packets that hit a trap policy before its CHILD_SA exists (RFC 4301 §5.1: the acquire is under way).
/// Bounded per policy (drop-oldest, counted) and by age; sent in arrival order once an SA covers them.
/// Only the acquire path takes the lock; the steady-state path reads one volatile counter.
/// </summary>
public sealed class AcquireQueue
{
    /// <summary>Queued packets per trap policy (reqid); the oldest goes when a new one arrives.</summary>
    public const int PerPolicyLimit = 64;

    /// <summary>Packets older than this are dropped instead of sent late.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<uint, Queue<Entry>> _byReqId = [];
    private readonly List<uint> _order = [];
    private int _count;
    private long _queued, _sent, _overflow, _expired, _failed;

    private readonly record struct Entry(byte[] Buffer, int Length, long Ticks);

    /// <summary>Packets waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    public long Queued => Interlocked.Read(ref _queued);
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Dropped because the policy's queue was full (the oldest goes).</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    /// <summary>Dropped because no SA came within <see cref="MaxAge"/>.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Taken from the queue but refused by the SA (sealing or sending failed).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Copies the packet in, leaving <paramref name="headroom"/> and <paramref name="tailroom"/> around it for ESP.</summary>
    internal void Enqueue(uint reqId, ReadOnlySpan<byte> packet, int headroom, int tailroom)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(headroom + packet.Length + tailroom);
        packet.CopyTo(buffer.AsSpan(headroom));
        lock (_lock)
        {
            if (!_byReqId.TryGetValue(reqId, out var q))
            {
                q = new Queue<Entry>();
                _byReqId[reqId] = q;
                _order.Add(reqId);
            }
            if (q.Count >= PerPolicyLimit)
            {
                ArrayPool<byte>.Shared.Return(q.Dequeue().Buffer);
                Interlocked.Increment(ref _overflow);
                Interlocked.Decrement(ref _count);
            }
            q.Enqueue(new Entry(buffer, packet.Length, Environment.TickCount64));
            Interlocked.Increment(ref _queued);
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>
    /// Offers every queued packet, oldest policy first and in arrival order, to <paramref name="trySend"/>
    /// (buffer, offset, length). It returns null when no SA covers the packet yet (it stays queued and so do
    /// the later ones of that policy), true when sent, false when the SA refused it.
    /// </summary>
    internal void Flush(int headroom, Func<byte[], int, int, bool?> trySend)
    {
        if (Volatile.Read(ref _count) == 0) return;
        lock (_lock)
        {
            long now = Environment.TickCount64;
            long maxAge = (long)MaxAge.TotalMilliseconds;
            foreach (uint reqId in _order.ToArray())
            {
                var q = _byReqId[reqId];
                while (q.Count > 0)
                {
                    var e = q.Peek();
                    if (now - e.Ticks > maxAge)
                    {
                        q.Dequeue();
                        ArrayPool<byte>.Shared.Return(e.Buffer);
                        Interlocked.Increment(ref _expired);
                        Interlocked.Decrement(ref _count);
                        continue;
                    }
                    var sent = trySend(e.Buffer, headroom, e.Length);
                    if (sent is null) break;
                    q.Dequeue();
                    ArrayPool<byte>.Shared.Return(e.Buffer);
                    if (sent.Value) Interlocked.Increment(ref _sent);
                    else Interlocked.Increment(ref _failed);
                    Interlocked.Decrement(ref _count);
                }
                if (q.Count == 0)
                {
                    _byReqId.Remove(reqId);
                    _order.Remove(reqId);
                }
            }
        }
    }

    /// <summary>Drops what a removed trap policy still had queued.</summary>
    internal void Discard(uint reqId)
    {
        if (Volatile.Read(ref _count) == 0) return;
        lock (_lock)
        {
            if (!_byReqId.Remove(reqId, out var q)) return;
            _order.Remove(reqId);
            foreach (var e in q)
            {
                ArrayPool<byte>.Shared.Return(e.Buffer);
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
