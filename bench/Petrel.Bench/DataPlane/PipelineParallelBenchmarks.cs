using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.Platform.Host;

namespace Petrel.Bench.DataPlane;

/// <summary>
/// The packet pipeline spread over worker threads: a burst of 256 inner packets of 1300 bytes
/// goes through <see cref="UserspaceKernel.ProcessOutbound"/> (SPD, SAD, sequence number, AES-128-GCM
/// seal) and straight into the peer kernel's <see cref="UserspaceKernel.ProcessInbound(Span{byte})"/>
/// (SPI demux, replay window, open, inner policy check), split into contiguous slices over
/// <see cref="Workers"/> threads by the daemon's own fork-join (<see cref="PacketWorkerPool"/>,
/// each thread on its own SA context lane). With <see cref="Sas"/> = 16 the burst holds the
/// traffic of 16 SAs, one after another, so each worker mostly works on SAs of its own (per-SA
/// spreading); with 1 SA every worker shares one sequence counter and one replay window (per-flow
/// spreading of a single SA). Workers above the machine's core count show what oversubscription
/// costs. Mean is per packet (OperationsPerInvoke); Allocated must be 0 B.
/// <c>dotnet run -c Release --project bench/Petrel.Bench -- --filter '*PipelineParallel*'</c>
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class PipelineParallelBenchmarks : IPartitionedWork
{
    private const int Burst = 256;
    private const int InnerLength = 1300;

    [Params(1, 2, 4, 8)]
    public int Workers { get; set; }

    [Params(1, 16)]
    public int Sas { get; set; }

    private UserspaceKernel _sender = null!;
    private UserspaceKernel _receiver = null!;
    private PacketWorkerPool _pool = null!;
    private byte[][] _inner = null!;      // one template packet per SA
    private byte[][] _buffers = null!;    // one working buffer per worker
    private int _failures;

    [GlobalSetup]
    public void Setup()
    {
        var enc = AlgorithmCatalog.FindKeyword("aes128gcm16")!;
        _receiver = new UserspaceKernel(new Wire(null), new DiscardTunnel()) { PacketThreads = Workers };
        _sender = new UserspaceKernel(new Wire(_receiver), new DiscardTunnel()) { PacketThreads = Workers };
        _inner = new byte[Sas][];
        for (int s = 0; s < Sas; s++)
        {
            var key = new byte[enc.Encryption!.KeyLength];
            new Random(s + 1).NextBytes(key);
            uint reqId = (uint)(s + 1);
            SaSpec Spec(SaDirection dir) => new()
            {
                Spi = 0x3000u + (uint)s, Direction = dir, ReqId = reqId, UdpEncapsulation = true,
                Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
                Encryption = enc.Transform, EncryptionKey = (byte[])key.Clone(), IntegrityKey = [],
                ReplayWindow = 4096,
            };
            _sender.InstallSa(Spec(SaDirection.Outbound));
            _receiver.InstallSa(Spec(SaDirection.Inbound));
            _sender.InstallPolicy(Policy(reqId, $"10.1.{s}.0/24", $"10.2.{s}.0/24"));
            _receiver.InstallPolicy(Policy(reqId, $"10.2.{s}.0/24", $"10.1.{s}.0/24"));
            var p = new byte[InnerLength];
            new Random(100 + s).NextBytes(p);
            p[0] = 0x45;
            p[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), InnerLength);
            p[6] = 0;
            p[7] = 0;
            p[9] = 17;
            new byte[] { 10, 1, (byte)s, 1, 10, 2, (byte)s, 1 }.CopyTo(p, 12);
            _inner[s] = p;
        }
        _buffers = new byte[Workers][];
        for (int w = 0; w < Workers; w++)
            _buffers[w] = new byte[EspProcessor.Headroom + InnerLength + EspProcessor.Tailroom];
        _pool = new PacketWorkerPool(Workers, "bench");
        BurstThroughPipeline();
        if (_failures != 0)
            throw new InvalidOperationException($"{_failures} packets failed in setup: " + string.Join(", ", _receiver.Statistics.Drops()));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _sender.Dispose();
        _receiver.Dispose();
    }

    private static PolicySpec Policy(uint reqId, string local, string remote) => new()
    {
        ReqId = reqId, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = IPAddress.Loopback, RemoteAddress = IPAddress.Loopback,
    };

    [Benchmark(OperationsPerInvoke = Burst)]
    public int BurstThroughPipeline()
    {
        _pool.Run(this, Burst, minItemsPerSlice: 8);
        return _failures;
    }

    /// <summary>Worker side: packets [start, end) of the burst; packet i belongs to SA i × Sas / Burst.</summary>
    public void Run(int worker, int start, int end)
    {
        var buffer = _buffers[worker];
        for (int i = start; i < end; i++)
        {
            var inner = _inner[i * Sas / Burst];
            inner.CopyTo(buffer, EspProcessor.Headroom);
            if (_sender.ProcessOutbound(buffer, EspProcessor.Headroom, InnerLength) != DropReason.None)
                Interlocked.Increment(ref _failures);
        }
    }

    /// <summary>Delivers every sealed packet straight into the receiving kernel (opened in place).</summary>
    private sealed class Wire(UserspaceKernel? receiver) : IOuterTransport
    {
        public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket)
        {
            if (receiver is null)
                return true;
            var writable = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(espPacket), espPacket.Length);
            return receiver.ProcessInbound(writable) == DropReason.None;
        }
    }

    private sealed class DiscardTunnel : ITunnelDevice
    {
        public bool WritePacket(ReadOnlySpan<byte> packet) => true;
    }
}
