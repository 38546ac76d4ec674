using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;

namespace Petrel.Bench.DataPlane;

/// <summary>
/// Issue 4's per-core target: encapsulate + decapsulate one 1400-byte packet through Petrel's
/// real ESP path (AES-128-GCM-16; SPD lookup, SAD, seal, SPI demux, replay window, open, inbound
/// policy check) against bare <see cref="AesGcm"/> seal + open of the same 1400 bytes in the
/// same buffer. The Ratio column is Petrel's time over the bare time (target ≤ 1.25, i.e.
/// throughput ≥ 80 %), Allocated must be 0 B.
/// <c>dotnet run -c Release --project bench/Petrel.Bench -- --filter '*EspVersusAesGcm*'</c>
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class EspVersusAesGcmBenchmarks
{
    private const int InnerLength = 1400;

    private byte[] _inner = null!;
    private byte[] _buffer = null!;
    private UserspaceKernel _sender = null!;
    private AesGcm _bare = null!;
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _aad = new byte[8];
    private readonly byte[] _tag = new byte[16];

    [GlobalSetup]
    public void Setup()
    {
        var enc = AlgorithmCatalog.FindKeyword("aes128gcm16")!;
        var key = new byte[enc.Encryption!.KeyLength];
        new Random(1).NextBytes(key);
        SaSpec Spec(SaDirection dir) => new()
        {
            Spi = 0x2000, Direction = dir, ReqId = 1, UdpEncapsulation = true,
            Source = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500), Destination = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500),
            Encryption = enc.Transform, EncryptionKey = (byte[])key.Clone(), IntegrityKey = [],
            ReplayWindow = 1024,
        };
        var receiver = new UserspaceKernel(new Wire(null), new DiscardTunnel());
        _sender = new UserspaceKernel(new Wire(receiver), new DiscardTunnel());
        _sender.InstallSa(Spec(SaDirection.Outbound));
        receiver.InstallSa(Spec(SaDirection.Inbound));
        _sender.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24"));
        receiver.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24"));

        _inner = new byte[InnerLength];
        new Random(3).NextBytes(_inner);
        _inner[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(_inner.AsSpan(2), InnerLength);
        _inner[9] = 17;
        new byte[] { 10, 1, 0, 1, 10, 2, 0, 1 }.CopyTo(_inner, 12);
        _buffer = new byte[EspProcessor.Headroom + InnerLength + EspProcessor.Tailroom];
        // The AES-GCM-16 key material is the AES key plus a 4-byte salt (RFC 4106 §8.1).
        _bare = new AesGcm(key.AsSpan(0, 16), 16);
        if (ProcessOneRoundTrip() != DropReason.None)
            throw new InvalidOperationException("ESP round trip failed in setup");
    }

    [GlobalCleanup]
    public void Cleanup() => _bare.Dispose();

    private static PolicySpec Policy(string local, string remote) => new()
    {
        ReqId = 1, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = IPAddress.Loopback, RemoteAddress = IPAddress.Loopback,
    };

    /// <summary>Bare AES-128-GCM: seal the 1400 bytes in place, then open them in place.</summary>
    [Benchmark(Baseline = true)]
    public bool BareAesGcmSealOpen()
    {
        var data = _buffer.AsSpan(EspProcessor.Headroom, InnerLength);
        _inner.CopyTo(data);
        BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), BinaryPrimitives.ReadUInt64BigEndian(_nonce.AsSpan(4)) + 1);
        _bare.Encrypt(_nonce, data, data, _tag, _aad);
        _bare.Decrypt(_nonce, data, _tag, data, _aad);
        return data[0] == 0x45;
    }

    /// <summary>Petrel: UserspaceKernel.ProcessOutbound → ESP → in-memory wire → ProcessInbound → tunnel.</summary>
    [Benchmark]
    public DropReason PetrelEspEncapDecap() => ProcessOneRoundTrip();

    private DropReason ProcessOneRoundTrip()
    {
        _inner.CopyTo(_buffer, EspProcessor.Headroom);
        return _sender.ProcessOutbound(_buffer, EspProcessor.Headroom, InnerLength);
    }

    /// <summary>Delivers every sealed packet straight into the receiving kernel (decrypted in place).</summary>
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
