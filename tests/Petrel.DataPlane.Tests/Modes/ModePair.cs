using System.Net;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Modes;

/// <summary>
/// Host A sending to host B through one SA (reqid 1, SPI <see cref="Spi"/>) of the given protocol
/// and mode, raw IP (no UDP encapsulation), IPv4 or IPv6 outer addresses. ESP uses AES-128-CBC +
/// HMAC-SHA-256-128, AH HMAC-SHA-256-128, with fixed keys the reference encoders share.
/// Tunnel mode protects 10.1.0.0/24 ⇄ 10.2.0.0/24 and 2001:db8:1::/64 ⇄ 2001:db8:2::/64; transport
/// mode the two hosts' own addresses.
/// </summary>
internal sealed class ModePair : IDisposable
{
    public const uint Spi = 0x1000cafe;
    public static readonly byte[] EncKey = Enumerable.Range(0x10, 16).Select(i => (byte)i).ToArray();
    public static readonly byte[] AuthKey = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();

    public CapturingTransport OuterA { get; } = new();
    public CapturingTunnel TunB { get; } = new();
    public UserspaceKernel A { get; }
    public UserspaceKernel B { get; }
    public IPAddress AddressA { get; }
    public IPAddress AddressB { get; }
    public bool Ah { get; }
    public bool Transport { get; }
    public bool Esn { get; }

    public ModePair(bool ah, bool transport, bool outer6, bool esn, int replayWindow = 128)
    {
        Ah = ah;
        Transport = transport;
        Esn = esn;
        AddressA = IPAddress.Parse(outer6 ? "2001:db8:18::1" : "198.18.0.1");
        AddressB = IPAddress.Parse(outer6 ? "2001:db8:18::2" : "198.18.0.2");
        A = new UserspaceKernel(OuterA, new CapturingTunnel(), algorithms: TestAlgorithmProvider.Instance);
        B = new UserspaceKernel(new CapturingTransport(), TunB, algorithms: TestAlgorithmProvider.Instance);
        var a = new IPEndPoint(AddressA, 0);
        var b = new IPEndPoint(AddressB, 0);
        A.InstallSa(Sa(SaDirection.Outbound, a, b, 0));
        B.InstallSa(Sa(SaDirection.Inbound, a, b, replayWindow));
        if (transport)
        {
            string hostA = AddressA + (outer6 ? "/128" : "/32"), hostB = AddressB + (outer6 ? "/128" : "/32");
            A.InstallPolicy(Policy([hostA], [hostB], a, b));
            B.InstallPolicy(Policy([hostB], [hostA], b, a));
        }
        else
        {
            A.InstallPolicy(Policy(["10.1.0.0/24", "2001:db8:1::/64"], ["10.2.0.0/24", "2001:db8:2::/64"], a, b));
            B.InstallPolicy(Policy(["10.2.0.0/24", "2001:db8:2::/64"], ["10.1.0.0/24", "2001:db8:1::/64"], b, a));
        }
    }

    private SaSpec Sa(SaDirection direction, IPEndPoint src, IPEndPoint dst, int window) => new()
    {
        Spi = Spi, Direction = direction, Protocol = Ah ? IpsecProtocol.Ah : IpsecProtocol.Esp,
        Mode = Transport ? IpsecMode.Transport : IpsecMode.Tunnel, Source = src, Destination = dst,
        Encryption = Ah ? new Transform(TransformType.Encryption, 0) : TestTransforms.AesCbc(128),
        EncryptionKey = Ah ? [] : (byte[])EncKey.Clone(),
        Integrity = TestTransforms.HmacSha256_128, IntegrityKey = (byte[])AuthKey.Clone(),
        ExtendedSequenceNumbers = Esn, ReplayWindow = window, ReqId = 1,
    };

    private PolicySpec Policy(string[] local, string[] remote, IPEndPoint me, IPEndPoint peer) => new()
    {
        ReqId = 1, LocalTs = [.. local.Select(TrafficSelector.Parse)], RemoteTs = [.. remote.Select(TrafficSelector.Parse)],
        Mode = Transport ? IpsecMode.Transport : IpsecMode.Tunnel, LocalAddress = me.Address, RemoteAddress = peer.Address,
    };

    /// <summary>Feeds an ESP packet (from the SPI) to B as the raw-socket reader does: with headroom in front.</summary>
    public DropReason DeliverEsp(byte[] esp)
    {
        var buffer = new byte[UserspaceKernel.InboundHeadroom + esp.Length];
        esp.CopyTo(buffer, UserspaceKernel.InboundHeadroom);
        return B.ProcessInbound(buffer, UserspaceKernel.InboundHeadroom, esp.Length);
    }

    /// <summary>Feeds a whole AH IP packet to B, with the 4 spare bytes ESN needs behind it.</summary>
    public DropReason DeliverAh(byte[] packet)
    {
        var buffer = new byte[packet.Length + 4];
        packet.CopyTo(buffer, 0);
        return B.ProcessInboundAh(buffer, 0, packet.Length);
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
