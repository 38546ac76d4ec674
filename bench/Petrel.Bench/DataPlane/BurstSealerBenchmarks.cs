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
/// The TUN reader's burst of separate packets (UDP, small packets) sealed as the daemon does it with
/// packet_threads = <see cref="Workers"/>: each packet's SA and sequence number claimed on the reader
/// thread in arrival order (<see cref="BurstSealer.TryAdd"/>, which also copies it into its slot), then
/// the burst sealed in contiguous slices on the workers (<see cref="BurstSealer.Seal"/>), each SA's
/// numbers still in arrival order. <see cref="Sas"/> = 16: the burst holds 16 SAs' packets interleaved
/// (per-SA spreading); 1: one SA, every worker on the same SA (per-flow spreading). Workers above the
/// machine's core count show what oversubscription costs. Mean is per packet; Allocated must be 0 B.
/// <c>dotnet run -c Release --project bench/Petrel.Bench -- --filter '*BurstSealer*' --inProcess --job short</c>
/// </summary>
[MemoryDiagnoser]
public class BurstSealerBenchmarks
{
    private const int Burst = BurstSealer.Capacity;

    [Params(1, 2, 4, 8)]
    public int Workers { get; set; }

    [Params(1, 16)]
    public int Sas { get; set; }

    [Params(100, 1300)]
    public int Payload { get; set; }

    private UserspaceKernel _kernel = null!;
    private PacketWorkerPool _pool = null!;
    private BurstSealer _sealer = null!;
    private byte[][] _packets = null!;

    [GlobalSetup]
    public void Setup()
    {
        var enc = AlgorithmCatalog.FindKeyword("aes128gcm16")!;
        _kernel = new UserspaceKernel(new Discard(), new DiscardTunnel()) { PacketThreads = Workers };
        for (int s = 0; s < Sas; s++)
        {
            var key = new byte[enc.Encryption!.KeyLength];
            new Random(s + 1).NextBytes(key);
            _kernel.InstallSa(new SaSpec
            {
                Spi = 0x4000u + (uint)s, Direction = SaDirection.Outbound, ReqId = (uint)(s + 1), UdpEncapsulation = true,
                Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
                Encryption = enc.Transform, EncryptionKey = key, IntegrityKey = [],
            });
            _kernel.InstallPolicy(new PolicySpec
            {
                ReqId = (uint)(s + 1), LocalTs = [TrafficSelector.Parse($"10.1.{s}.0/24")], RemoteTs = [TrafficSelector.Parse($"10.2.{s}.0/24")],
                LocalAddress = IPAddress.Parse("198.18.0.1"), RemoteAddress = IPAddress.Parse("198.18.0.2"),
            });
        }
        _packets = new byte[Burst][];
        for (int i = 0; i < Burst; i++)
        {
            int s = i % Sas;
            var p = new byte[20 + 8 + Payload];
            new Random(100 + i).NextBytes(p);
            p[0] = 0x45;
            p[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
            p[6] = 0;
            p[7] = 0;
            p[9] = 17;
            new byte[] { 10, 1, (byte)s, 1, 10, 2, (byte)s, 1 }.CopyTo(p, 12);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), (ushort)(8 + Payload));
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(26), 0);
            _packets[i] = p;
        }
        _pool = new PacketWorkerPool(Workers, "bench");
        _sealer = new BurstSealer(_kernel, _pool);
        if (SealBurst() != Burst)
            throw new InvalidOperationException("the burst was not sealed: " + string.Join(", ", _kernel.Statistics.Drops()));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _kernel.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    public int SealBurst()
    {
        for (int i = 0; i < Burst; i++)
            _sealer.TryAdd(_packets[i], 0);
        int done = _sealer.Seal();
        _sealer.Clear();
        return done;
    }

    private sealed class Discard : IOuterTransport
    {
        public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket) => true;
    }

    private sealed class DiscardTunnel : ITunnelDevice
    {
        public bool WritePacket(ReadOnlySpan<byte> packet) => true;
    }
}
