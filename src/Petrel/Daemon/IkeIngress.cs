using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Petrel.Ike.Wire;

namespace Petrel.Daemon;

/// <summary>
/// IKE datagrams on their way from the socket threads to the engine thread, in bounded lanes: messages of
/// SAs that exist; requests for a new IKE SA (responder SPI zero, not a response: IKE_SA_INIT, and IKEv1's
/// first Main/Aggressive Mode message) that return a COOKIE (RFC 7296 §2.6: the initiator showed it
/// receives at its address); and all other requests for a new SA. Anyone can send the last kind from any
/// address at line rate, so that lane overflows first: a flood of IKE_SA_INIT is shed at the socket, before
/// any copy or engine work beyond a counter, while DPD, rekeys and deletes of established SAs keep their own
/// room and an initiator that answered our COOKIE does not queue behind the flood. The engine drains the
/// lanes in that order. (A forged COOKIE gets no further than the cookie lane; the engine checks it.)
/// Buffers are pooled; memory is bounded by the capacities times the largest datagram.
/// </summary>
public sealed class IkeIngress
{
    public const int DefaultSaCapacity = 4096;
    public const int DefaultNewSaCapacity = 1024;

    private readonly Lane _sa;
    private readonly Lane _cookie;
    private readonly Lane _newSa;

    public IkeIngress(int saCapacity = DefaultSaCapacity, int newSaCapacity = DefaultNewSaCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(saCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(newSaCapacity, 1);
        _sa = new Lane(saCapacity);
        _cookie = new Lane(newSaCapacity);
        _newSa = new Lane(newSaCapacity);
    }

    /// <summary>Datagrams that asked for a new SA (with or without a COOKIE) and were shed because their lane was full.</summary>
    public long ShedNewSa => Interlocked.Read(ref _newSa.Shed) + Interlocked.Read(ref _cookie.Shed);

    /// <summary>Datagrams of existing SAs dropped because their lane was full.</summary>
    public long ShedSa => Interlocked.Read(ref _sa.Shed);

    public int Queued => Volatile.Read(ref _sa.Count) + Volatile.Read(ref _cookie.Count) + Volatile.Read(ref _newSa.Count);

    /// <summary>Queues a copy of the datagram; false (and counted) when its lane is full.</summary>
    public bool TryEnqueue(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        var lane = !CreatesSa(message) ? _sa : ReturnsCookie(message) ? _cookie : _newSa;
        if (Interlocked.Increment(ref lane.Count) > lane.Capacity)
        {
            Interlocked.Decrement(ref lane.Count);
            Interlocked.Increment(ref lane.Shed);
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, message.Length));
        message.CopyTo(buffer);
        lane.Queue.Enqueue(new Datagram(local, remote, buffer, message.Length));
        return true;
    }

    /// <summary>
    /// Hands up to <paramref name="max"/> datagrams to <paramref name="receive"/>, existing SAs' first; the buffer is
    /// returned to the pool after the call. Returns how many were handled.
    /// </summary>
    public int Drain(int max, Action<IPEndPoint, IPEndPoint, ReadOnlySpan<byte>> receive)
    {
        int n = DrainLane(_sa, max, receive);
        n += DrainLane(_cookie, max - n, receive);
        return n + DrainLane(_newSa, max - n, receive);
    }

    private static int DrainLane(Lane lane, int max, Action<IPEndPoint, IPEndPoint, ReadOnlySpan<byte>> receive)
    {
        int n = 0;
        while (n < max && lane.Queue.TryDequeue(out var d))
        {
            Interlocked.Decrement(ref lane.Count);
            n++;
            try
            {
                receive(d.Local, d.Remote, d.Buffer.AsSpan(0, d.Length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(d.Buffer);
            }
        }
        return n;
    }

    /// <summary>
    /// RFC 7296 §3.1 / RFC 2408 §3.1: bytes 8–15 are the responder's SPI (cookie), byte 19 the flags; a request
    /// with a zero responder SPI asks for a new SA. Anything too short to tell goes to the same lane: the
    /// engine drops it, but it must not take room from established SAs.
    /// </summary>
    public static bool CreatesSa(ReadOnlySpan<byte> message)
    {
        if (message.Length < 28) return true;
        const byte ResponseFlag = 0x20;
        return (message[19] & ResponseFlag) == 0 && System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(message[8..16]) == 0;
    }

    /// <summary>
    /// RFC 7296 §2.6: an IKE_SA_INIT that returns our COOKIE carries it as the first payload (byte 16 names the first
    /// payload, 41 = Notify; the notify type is at bytes 34–35 of the message, 16390 = COOKIE).
    /// </summary>
    public static bool ReturnsCookie(ReadOnlySpan<byte> message)
    {
        return message.Length >= 36 && message[16] == (byte)PayloadType.Notify
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(message[34..36]) == (ushort)NotifyType.Cookie;
    }

    private readonly record struct Datagram(IPEndPoint Local, IPEndPoint Remote, byte[] Buffer, int Length);

    private sealed class Lane(int capacity)
    {
        public readonly int Capacity = capacity;
        public readonly ConcurrentQueue<Datagram> Queue = new();
        public int Count;
        public long Shed;
    }
}
