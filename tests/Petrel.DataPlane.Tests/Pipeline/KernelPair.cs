using System.Net;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>
/// Two userspace kernels, site A (10.1.0.0/24, 2001:db8:1::/64, outer 198.18.0.1) and site B
/// (10.2.0.0/24, 2001:db8:2::/64, outer 198.18.0.2), with one SA pair and policy (reqid 1)
/// installed by hand with fixed keys, connected by an in-memory network.
/// </summary>
internal sealed class KernelPair : IDisposable
{
    public const uint SpiAToB = 0xb0b0b001;
    public const uint SpiBToA = 0xa0a0a001;
    public const uint ReqId = 1;

    public CapturingTransport OuterA { get; } = new();
    public CapturingTransport OuterB { get; } = new();
    public CapturingTunnel TunA { get; } = new();
    public CapturingTunnel TunB { get; } = new();
    public UserspaceKernel A { get; }
    public UserspaceKernel B { get; }
    public byte[] EncKeyAToB { get; }
    public byte[] AuthKeyAToB { get; }
    public byte[] EncKeyBToA { get; }
    public byte[] AuthKeyBToA { get; }

    public KernelPair(Transform encryption, Transform? integrity, int encKeyLength, int authKeyLength, bool esn = false, int replayWindow = 128, bool link = true,
        IEspAlgorithmProvider? algorithms = null, int packetThreads = 1)
    {
        algorithms ??= TestAlgorithmProvider.Instance;
        A = new UserspaceKernel(OuterA, TunA, algorithms: algorithms) { PacketThreads = packetThreads };
        B = new UserspaceKernel(OuterB, TunB, algorithms: algorithms) { PacketThreads = packetThreads };
        if (link)
        {
            OuterA.DeliverTo = B;
            OuterB.DeliverTo = A;
        }
        EncKeyAToB = Pattern(encKeyLength, 0x10);
        AuthKeyAToB = Pattern(authKeyLength, 0x40);
        EncKeyBToA = Pattern(encKeyLength, 0x70);
        AuthKeyBToA = Pattern(authKeyLength, 0x90);

        var outerA = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500);
        var outerB = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500);
        SaSpec Sa(uint spi, SaDirection dir, IPEndPoint src, IPEndPoint dst, byte[] ek, byte[] ak) => new()
        {
            Spi = spi, Direction = dir, Source = src, Destination = dst, UdpEncapsulation = true,
            Encryption = encryption, EncryptionKey = (byte[])ek.Clone(),
            Integrity = integrity, IntegrityKey = (byte[])ak.Clone(),
            ExtendedSequenceNumbers = esn, ReplayWindow = replayWindow, ReqId = ReqId,
        };
        A.InstallSa(Sa(SpiAToB, SaDirection.Outbound, outerA, outerB, EncKeyAToB, AuthKeyAToB));
        A.InstallSa(Sa(SpiBToA, SaDirection.Inbound, outerB, outerA, EncKeyBToA, AuthKeyBToA));
        B.InstallSa(Sa(SpiBToA, SaDirection.Outbound, outerB, outerA, EncKeyBToA, AuthKeyBToA));
        B.InstallSa(Sa(SpiAToB, SaDirection.Inbound, outerA, outerB, EncKeyAToB, AuthKeyAToB));
        A.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24", "2001:db8:1::/64", "2001:db8:2::/64", outerA, outerB));
        B.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24", "2001:db8:2::/64", "2001:db8:1::/64", outerB, outerA));
    }

    public static KernelPair AesGcm128(bool esn = false, int replayWindow = 128, bool link = true) =>
        new(TestTransforms.AesGcm16(128), null, 20, 0, esn, replayWindow, link);

    public static KernelPair AesCbc128HmacSha256(bool esn = false, int replayWindow = 128, bool link = true) =>
        new(TestTransforms.AesCbc(128), TestTransforms.HmacSha256_128, 16, 32, esn, replayWindow, link);

    /// <summary>A pair running Petrel.Crypto's real primitives, chosen by strongSwan keyword ("aes128gcm16", "aes256" + "sha256").</summary>
    public static KernelPair Catalog(string encryption, string? integrity, bool esn = false, bool link = true, int replayWindow = 128, int packetThreads = 1)
    {
        var enc = AlgorithmCatalog.FindKeyword(encryption) ?? throw new ArgumentException(encryption);
        var integ = integrity is null ? null : AlgorithmCatalog.FindKeyword(integrity) ?? throw new ArgumentException(integrity);
        return new KernelPair(enc.Transform, integ?.Transform, enc.Encryption!.KeyLength, integ?.Integrity!.KeyLength ?? 0, esn,
            replayWindow, link, CatalogEspAlgorithmProvider.Instance, packetThreads);
    }

    private static PolicySpec Policy(string local4, string remote4, string local6, string remote6, IPEndPoint me, IPEndPoint peer) => new()
    {
        ReqId = ReqId,
        LocalTs = [TrafficSelector.Parse(local4), TrafficSelector.Parse(local6)],
        RemoteTs = [TrafficSelector.Parse(remote4), TrafficSelector.Parse(remote6)],
        LocalAddress = me.Address,
        RemoteAddress = peer.Address,
    };

    private static byte[] Pattern(int length, byte start)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++)
            b[i] = (byte)(start + i);
        return b;
    }

    /// <summary>Runs an inner packet through a kernel's outbound path as the TUN reader would: with head- and tailroom.</summary>
    public static DropReason Send(UserspaceKernel kernel, byte[] inner)
    {
        var buffer = new byte[UserspaceKernel.Headroom + inner.Length + UserspaceKernel.Tailroom];
        inner.CopyTo(buffer, UserspaceKernel.Headroom);
        return kernel.ProcessOutbound(buffer, UserspaceKernel.Headroom, inner.Length);
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
