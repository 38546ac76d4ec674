using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;

namespace Petrel.Bench.DataPlane;

/// <summary>
/// ESP seal and open of one 1400-byte inner packet (the TUN MTU), with Petrel.Crypto's real
/// primitives: the per-packet cost of the userspace data plane. MemoryDiagnoser must show 0 B.
/// <c>dotnet run -c Release --project bench/Petrel.Bench -- --filter '*EspBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class EspBenchmarks
{
    private const int InnerLength = 1400;

    [Params("aes128gcm16", "aes256gcm16", "aes128-sha256", "chacha20poly1305")]
    public string Suite { get; set; } = "aes128gcm16";

    private EspSa _out = null!;
    private EspSa _in = null!;
    private byte[] _inner = null!;
    private byte[] _buffer = null!;
    private UserspaceKernel _sender = null!;
    private UserspaceKernel _receiver = null!;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Suite.Split('-');
        var enc = AlgorithmCatalog.FindKeyword(parts[0])!;
        var integ = parts.Length > 1 ? AlgorithmCatalog.FindKeyword(parts[1]) : null;
        var encKey = new byte[enc.Encryption!.KeyLength];
        var intKey = new byte[integ?.Integrity!.KeyLength ?? 0];
        new Random(1).NextBytes(encKey);
        new Random(2).NextBytes(intKey);

        SaSpec Spec(SaDirection dir, uint spi) => new()
        {
            Spi = spi, Direction = dir, ReqId = 1, UdpEncapsulation = true,
            Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
            Encryption = enc.Transform, EncryptionKey = (byte[])encKey.Clone(), Integrity = integ?.Transform, IntegrityKey = (byte[])intKey.Clone(),
            // The window is irrelevant to cost; a large one lets Open accept every sealed sequence number.
            ReplayWindow = 1024,
        };
        Assert(CatalogEspAlgorithmProvider.Instance.TryResolve(Spec(SaDirection.Outbound, 0x1000), out var algorithms, out _));
        _out = new EspSa(Spec(SaDirection.Outbound, 0x1000), algorithms);
        _in = new EspSa(Spec(SaDirection.Inbound, 0x1000), algorithms);

        _inner = new byte[InnerLength];
        new Random(3).NextBytes(_inner);
        _inner[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(_inner.AsSpan(2), InnerLength);
        _inner[9] = 17;
        new byte[] { 10, 1, 0, 1, 10, 2, 0, 1 }.CopyTo(_inner, 12);
        _buffer = new byte[EspProcessor.Headroom + InnerLength + EspProcessor.Tailroom];

        // A full pipeline: sender kernel → in-memory wire → receiver kernel → discarding tunnel.
        _receiver = new UserspaceKernel(new NullOuter(null), new NullTunnel(), algorithms: CatalogEspAlgorithmProvider.Instance);
        _sender = new UserspaceKernel(new NullOuter(_receiver), new NullTunnel(), algorithms: CatalogEspAlgorithmProvider.Instance);
        _sender.InstallSa(Spec(SaDirection.Outbound, 0x2000));
        _receiver.InstallSa(Spec(SaDirection.Inbound, 0x2000));
        _sender.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24"));
        _receiver.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24"));
    }

    private static PolicySpec Policy(string local, string remote) => new()
    {
        ReqId = 1, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = IPAddress.Loopback, RemoteAddress = IPAddress.Loopback,
    };

    /// <summary>Encapsulation alone (the copy restores the plaintext that sealing overwrote).</summary>
    [Benchmark]
    public int Seal()
    {
        _inner.CopyTo(_buffer, EspProcessor.Headroom);
        EspProcessor.Seal(_out, _buffer, EspProcessor.Headroom, InnerLength, 4, out _, out int length);
        return length;
    }

    /// <summary>Seal then open the same packet: both directions' crypto, replay window, padding checks.</summary>
    [Benchmark]
    public int SealOpen()
    {
        _inner.CopyTo(_buffer, EspProcessor.Headroom);
        EspProcessor.Seal(_out, _buffer, EspProcessor.Headroom, InnerLength, 4, out int offset, out int length);
        var r = EspProcessor.Open(_in, _buffer.AsSpan(offset, length), out _, out int innerLength, out _);
        return r == DropReason.None ? innerLength : -1;
    }

    /// <summary>The whole pipeline: SPD lookup, SAD, seal, "send", demux by SPI, open, inbound policy check, "write".</summary>
    [Benchmark]
    public DropReason KernelRoundTrip()
    {
        _inner.CopyTo(_buffer, EspProcessor.Headroom);
        return _sender.ProcessOutbound(_buffer, EspProcessor.Headroom, InnerLength);
    }

    private static void Assert(bool condition)
    {
        if (!condition)
            throw new InvalidOperationException("benchmark setup failed");
    }

    private sealed class NullOuter(UserspaceKernel? deliverTo) : IOuterTransport
    {
        public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket)
        {
            if (deliverTo is null)
                return true;
            // The receiver decrypts in place; the sender's buffer is free after sending.
            var writable = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(espPacket), espPacket.Length);
            return deliverTo.ProcessInbound(writable) == DropReason.None;
        }
    }

    private sealed class NullTunnel : ITunnelDevice
    {
        public bool WritePacket(ReadOnlySpan<byte> packet) => true;
    }
}
