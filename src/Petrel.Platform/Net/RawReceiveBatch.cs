using System.Runtime.InteropServices;
using Petrel.Platform.Native;

namespace Petrel.Platform.Net;

/// <summary>
/// The memory one reader thread gives <see cref="RawIpSocket.ReceiveBatch"/>: <see cref="Capacity"/>
/// slots of one pinned buffer, each with <see cref="Headroom"/> bytes in front of the packet
/// (transport mode rebuilds an IP header there), room for the largest IP packet and
/// <see cref="Tailroom"/> spare bytes after it (AH with ESN appends the high sequence bits), plus
/// the recvmmsg(2) headers, socket-address and control buffers in native memory. Allocated once
/// per thread; a receive allocates nothing. After a receive, packet i of <see cref="Count"/> is
/// <c>Buffer[Offset(i)..Offset(i)+Length(i)]</c>. <see cref="UdpEndpoint.ReceiveBatch"/> uses it too
/// (each message then may be a UDP GRO batch of <see cref="SegmentSize"/>-byte datagrams, and
/// carries its source and destination address).
/// </summary>
public sealed unsafe class RawReceiveBatch : IDisposable
{
    /// <summary>recvmmsg slots per system call; 16 × 64 KB keeps a reader thread's buffer at 1 MB.</summary>
    public const int DefaultCapacity = 16;

    public const int Headroom = Petrel.DataPlane.Pipeline.UserspaceKernel.InboundHeadroom;
    public const int Tailroom = 8;
    public const int MaxPacket = 65535;
    internal const int NameSize = 28;      // sockaddr_in6
    internal const int ControlSize = 128;  // IPV6_PKTINFO + UDP_GRO + SO_RXQ_OVFL cmsgs fit with room to spare

    private readonly int[] _offsets;
    private readonly int[] _lengths;
    private readonly int[] _segmentSizes;
    private readonly UdpAddress[] _sources;
    private readonly UdpAddress[] _destinations;
    private LibC.MMsgHdr* _headers;
    private LibC.IoVec* _iov;
    private byte* _names;
    private byte* _controls;
    private readonly byte* _buffer;

    public RawReceiveBatch(int capacity = DefaultCapacity)
    {
        if (capacity < 1 || capacity > 1024)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "1..1024 messages per receive");
        Capacity = capacity;
        // Rounded to 64 bytes, so every slot's packet area starts cache-line aligned.
        Stride = (Headroom + MaxPacket + Tailroom + 63) & ~63;
        Buffer = GC.AllocateArray<byte>(capacity * Stride, pinned: true);
        _buffer = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(Buffer, 0);
        _offsets = new int[capacity];
        _lengths = new int[capacity];
        _segmentSizes = new int[capacity];
        _sources = new UdpAddress[capacity];
        _destinations = new UdpAddress[capacity];
        _headers = (LibC.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(LibC.MMsgHdr)));
        _iov = (LibC.IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(LibC.IoVec)));
        _names = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * NameSize));
        _controls = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * ControlSize));
    }

    public int Capacity { get; }

    /// <summary>Bytes between the starts of two slots.</summary>
    public int Stride { get; }

    /// <summary>The pinned slots; packets are read in place from here.</summary>
    public byte[] Buffer { get; }

    /// <summary>Packets the last receive left in the buffer.</summary>
    public int Count { get; private set; }

    public int Offset(int i) => _offsets[i];

    public int Length(int i) => _lengths[i];

    /// <summary>UDP only: the size of each datagram the kernel coalesced into message i (UDP_GRO), 0 for a single datagram.</summary>
    public int SegmentSize(int i) => _segmentSizes[i];

    /// <summary>UDP only: who sent message i.</summary>
    public ref readonly UdpAddress Source(int i) => ref _sources[i];

    /// <summary>UDP only: which of our addresses message i was sent to.</summary>
    public ref readonly UdpAddress Destination(int i) => ref _destinations[i];

    /// <summary>UDP only: the socket's count of datagrams dropped for a full receive buffer (SO_RXQ_OVFL), as of the last receive that reported it.</summary>
    public uint SocketDrops { get; internal set; }

    internal LibC.MMsgHdr* Headers => _headers;

    /// <summary>Where slot i's packet area begins (after the headroom).</summary>
    internal int PacketStart(int slot) => slot * Stride + Headroom;

    /// <summary>
    /// Points every header at its slot again (the kernel overwrote the name, control and flags
    /// fields): the data lands skip bytes into the packet area (an IPv6 header rebuilt in front).
    /// </summary>
    internal void Prepare(int skip)
    {
        if (_headers is null)
            throw new ObjectDisposedException(nameof(RawReceiveBatch));
        for (int i = 0; i < Capacity; i++)
        {
            _iov[i] = new LibC.IoVec { Base = _buffer + PacketStart(i) + skip, Length = (nuint)(MaxPacket - skip) };
            _headers[i] = new LibC.MMsgHdr
            {
                Header = new LibC.MsgHdr
                {
                    Name = _names + i * NameSize,
                    NameLength = NameSize,
                    Iov = _iov + i,
                    IovLength = 1,
                    Control = _controls + i * ControlSize,
                    ControlLength = ControlSize,
                },
            };
        }
        Count = 0;
    }

    internal byte* Name(int slot) => _names + slot * NameSize;

    internal void Keep(int offset, int length)
    {
        _offsets[Count] = offset;
        _lengths[Count] = length;
        _segmentSizes[Count] = 0;
        Count++;
    }

    internal void Keep(int offset, int length, int segmentSize, in UdpAddress source, in UdpAddress destination)
    {
        _sources[Count] = source;
        _destinations[Count] = destination;
        _offsets[Count] = offset;
        _lengths[Count] = length;
        _segmentSizes[Count] = segmentSize;
        Count++;
    }

    public void Dispose()
    {
        NativeMemory.Free(_headers);
        NativeMemory.Free(_iov);
        NativeMemory.Free(_names);
        NativeMemory.Free(_controls);
        _headers = null;
        _iov = null;
        _names = null;
        _controls = null;
    }
}
