using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Offload;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;

namespace Petrel.Bench.DataPlane;

/// <summary>
/// The batched UDP path the daemon runs, without the system calls: a burst of 64 inner UDP
/// datagrams of one flow (Size bytes of payload) is sealed with <see cref="UserspaceKernel.SealOutbound"/>
/// into one buffer as a UDP GRO receive would hold them, then the receiver's one inbound step
/// (<see cref="InboundBatch"/>: SPI demux, replay window, open, policy check, UDP coalescing) turns
/// them into GSO_UDP_L4 writes to a device that discards them. Mean is per packet (both
/// directions); Allocated must be 0 B.
/// <c>dotnet run -c Release --project bench/Petrel.Bench -- --filter '*BatchPipeline*'</c>
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class BatchPipelineBenchmarks
{
    private const int Burst = 64;

    [Params(100, 1300)]
    public int Size { get; set; }

    private UserspaceKernel _sender = null!;
    private UserspaceKernel _receiver = null!;
    private InboundBatch _inbound = null!;
    private GsoSink _sink = null!;
    private byte[] _inner = null!;
    private byte[] _work = null!;
    private byte[] _rx = null!;
    private int _step;

    [GlobalSetup]
    public void Setup()
    {
        var enc = AlgorithmCatalog.FindKeyword("aes128gcm16")!;
        var key = new byte[enc.Encryption!.KeyLength];
        new Random(1).NextBytes(key);
        SaSpec Spec(SaDirection dir) => new()
        {
            Spi = 0x4000, Direction = dir, ReqId = 1, UdpEncapsulation = true,
            Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
            Encryption = enc.Transform, EncryptionKey = (byte[])key.Clone(), IntegrityKey = [], ReplayWindow = 1024,
        };
        _sink = new GsoSink();
        _sender = new UserspaceKernel(new NoWire(), _sink);
        _receiver = new UserspaceKernel(new NoWire(), _sink);
        _sender.InstallSa(Spec(SaDirection.Outbound));
        _receiver.InstallSa(Spec(SaDirection.Inbound));
        _sender.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24"));
        _receiver.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24"));
        _inbound = _receiver.CreateInboundBatch(_sink);

        int length = 28 + Size;
        _inner = new byte[length];
        new Random(3).NextBytes(_inner);
        _inner[0] = 0x45;
        _inner[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(_inner.AsSpan(2), (ushort)length);
        _inner[6] = 0x40;
        _inner[7] = 0;
        _inner[8] = 64;
        _inner[9] = 17;
        new byte[] { 10, 1, 0, 1, 10, 2, 0, 1 }.CopyTo(_inner, 12);
        _inner[10] = 0;
        _inner[11] = 0;
        InternetChecksum.SetIpv4HeaderChecksum(_inner.AsSpan(0, 20));
        BinaryPrimitives.WriteUInt16BigEndian(_inner.AsSpan(20), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(_inner.AsSpan(22), 5201);
        BinaryPrimitives.WriteUInt16BigEndian(_inner.AsSpan(24), (ushort)(8 + Size));
        _inner[26] = 0;
        _inner[27] = 0; // no UDP checksum (RFC 768): the stack fills it in when it splits the batch
        _work = new byte[UserspaceKernel.Headroom + length + UserspaceKernel.Tailroom];
        _rx = new byte[UserspaceKernel.InboundHeadroom + Burst * 1500];
        BurstSealOpenCoalesce();
        if (_sink.GsoWrites == 0 || _receiver.Statistics.Decapsulated != Burst)
            throw new InvalidOperationException($"setup: {_sink.GsoWrites} GSO writes, {_receiver.Statistics.Decapsulated} opened, drops " + string.Join(", ", _receiver.Statistics.Drops()));
    }

    private static PolicySpec Policy(string local, string remote) => new()
    {
        ReqId = 1, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = IPAddress.Loopback, RemoteAddress = IPAddress.Loopback,
    };

    [Benchmark(OperationsPerInvoke = Burst)]
    public long BurstSealOpenCoalesce()
    {
        // Outbound: seal each datagram, pack the ESP packets back to back as one GRO receive.
        int at = UserspaceKernel.InboundHeadroom;
        for (int i = 0; i < Burst; i++)
        {
            _inner.CopyTo(_work, UserspaceKernel.Headroom);
            if (_sender.SealOutbound(_work, UserspaceKernel.Headroom, _inner.Length, out int espOffset, out int espLength, out _) != DropReason.None)
                return -1;
            _work.AsSpan(espOffset, espLength).CopyTo(_rx.AsSpan(at));
            _step = espLength;
            at += espLength;
        }
        // Inbound: the daemon's one step over the batch.
        for (int off = UserspaceKernel.InboundHeadroom; off < at; off += _step)
            _inbound.Open(_rx, off, _step);
        _inbound.Flush();
        return _sink.GsoWrites;
    }

    private sealed class NoWire : IOuterTransport
    {
        public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket) => true;
    }

    private sealed class GsoSink : IGsoTunnelDevice
    {
        public long GsoWrites;

        public bool AcceptsUdpGso => true;

        public bool WritePacket(ReadOnlySpan<byte> packet) => true;

        public bool WriteGso(in VirtioNetHeader header, byte[] buffer, ReadOnlySpan<PacketSlice> pieces)
        {
            GsoWrites++;
            return true;
        }
    }
}
