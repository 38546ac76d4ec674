using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Ah;

/// <summary>AH tunnel mode over IPv4 (RFC 4302), checked against an ICV computed here from the RFC layout.</summary>
public sealed class AhTunnelTests
{
    private static readonly byte[] Key = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();
    private static readonly IPEndPoint OuterA = new(IPAddress.Parse("198.18.0.1"), 0);
    private static readonly IPEndPoint OuterB = new(IPAddress.Parse("198.18.0.2"), 0);

    private static SaSpec Sa(SaDirection direction, IPEndPoint src, IPEndPoint dst) => new()
    {
        Spi = 0x0a0a0a01, Direction = direction, Protocol = IpsecProtocol.Ah, Source = src, Destination = dst,
        Encryption = new Transform(TransformType.Encryption, 0), EncryptionKey = [],
        Integrity = TestTransforms.HmacSha256_128, IntegrityKey = (byte[])Key.Clone(), ReplayWindow = 32, ReqId = 1,
    };

    private static PolicySpec Policy(string local, string remote) => new()
    {
        ReqId = 1, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = OuterA.Address, RemoteAddress = OuterB.Address,
    };

    [Fact]
    public void Ipv4_tunnel_packet_has_rfc_layout_and_icv_and_round_trips_with_replay_and_tamper_drops()
    {
        var outerA = new CapturingTransport();
        var outerB = new CapturingTransport();
        var tunB = new CapturingTunnel();
        using var a = new UserspaceKernel(outerA, new CapturingTunnel(), algorithms: TestAlgorithmProvider.Instance);
        using var b = new UserspaceKernel(outerB, tunB, algorithms: TestAlgorithmProvider.Instance);
        a.InstallSa(Sa(SaDirection.Outbound, OuterA, OuterB));
        b.InstallSa(Sa(SaDirection.Inbound, OuterA, OuterB));
        a.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24"));
        b.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24"));

        var inner = TestPackets.Ipv4Icmp("10.1.0.5", "10.2.0.7");
        Assert.Equal(DropReason.None, KernelPair.Send(a, inner));
        var wire = Assert.Single(outerA.SentIp);

        // RFC 791 outer header, protocol 51, then AH: next header 4, payload len (12+16)/4-2 = 5.
        Assert.Equal(20 + 28 + inner.Length, wire.Length);
        Assert.Equal(0x45, wire[0]);
        Assert.Equal(wire.Length, BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(2)));
        Assert.Equal(51, wire[9]);
        Assert.Equal(0, TestPackets.Checksum(wire.AsSpan(0, 20)) & 0xFFFF);
        Assert.Equal(OuterA.Address.GetAddressBytes(), wire[12..16]);
        Assert.Equal(OuterB.Address.GetAddressBytes(), wire[16..20]);
        Assert.Equal(4, wire[20]);
        Assert.Equal(5, wire[21]);
        Assert.Equal(0x0a0a0a01u, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(24)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(28)));
        Assert.Equal(inner, wire[48..]);

        // RFC 4302 §3.3.3.1.1.1: TOS, flags/offset, TTL and checksum zeroed, ICV zeroed.
        var icvInput = (byte[])wire.Clone();
        icvInput[1] = 0; icvInput[6] = 0; icvInput[7] = 0; icvInput[8] = 0; icvInput[10] = 0; icvInput[11] = 0;
        Array.Clear(icvInput, 32, 16);
        var expected = HMACSHA256.HashData(Key, icvInput)[..16];
        Assert.Equal(expected, wire[32..48]);

        // Delivered: the inner packet comes out; the same packet again is a replay; a changed
        // immutable byte (the inner payload) fails the ICV; a changed TTL (mutable) still passes.
        Assert.Equal(DropReason.None, Deliver(b, wire));
        Assert.Equal(inner, Assert.Single(tunB.Written));
        Assert.Equal(DropReason.Replay, Deliver(b, wire));

        Assert.Equal(DropReason.None, KernelPair.Send(a, inner));
        var second = outerA.SentIp[1];
        var tampered = (byte[])second.Clone();
        tampered[^1] ^= 1;
        Assert.Equal(DropReason.IntegrityFailure, Deliver(b, tampered));
        var ttlChanged = (byte[])second.Clone();
        ttlChanged[8] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(ttlChanged.AsSpan(10), 0);
        BinaryPrimitives.WriteUInt16BigEndian(ttlChanged.AsSpan(10), TestPackets.Checksum(ttlChanged.AsSpan(0, 20)));
        Assert.Equal(DropReason.None, Deliver(b, ttlChanged));

        Assert.True(b.TryGetCounters(0x0a0a0a01, SaDirection.Inbound, out var counters));
        Assert.Equal(1ul, counters.ReplayDrops);
        Assert.Equal(1ul, counters.IntegrityFailures);
        Assert.Equal(2ul, counters.Packets);
    }

    private static DropReason Deliver(UserspaceKernel kernel, byte[] packet)
    {
        var buffer = new byte[packet.Length + 4];
        packet.CopyTo(buffer, 0);
        return kernel.ProcessInboundAh(buffer, 0, packet.Length);
    }
}
