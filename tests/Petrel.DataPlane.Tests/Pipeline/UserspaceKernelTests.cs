using Petrel.Crypto.Proposals;
using Petrel.Crypto.Algorithms;
using System.Net;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Pipeline;

public class UserspaceKernelTests
{
    private static readonly IPEndPoint Me = new(IPAddress.Parse("198.18.0.1"), 4500);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("198.18.0.2"), 4500);

    private static SaSpec OutboundSa(uint spi, uint reqId, byte[]? key = null) => new()
    {
        Spi = spi, Direction = SaDirection.Outbound, ReqId = reqId, Source = Me, Destination = Peer, UdpEncapsulation = true,
        Encryption = TestTransforms.AesGcm16(128), EncryptionKey = key ?? new byte[20],
    };

    private static PolicySpec Policy(uint reqId, string local, string remote, PolicyAction action = PolicyAction.Protect, int priority = 0) => new()
    {
        ReqId = reqId, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        Action = action, Priority = priority, LocalAddress = Me.Address, RemoteAddress = Peer.Address,
    };

    private static UserspaceKernel Kernel(CapturingTransport outer, RecordingRoutes? routes = null) =>
        new(outer, new CapturingTunnel(), routes, TestAlgorithmProvider.Instance);

    [Fact]
    public void Traffic_without_policy_is_dropped()
    {
        var outer = new CapturingTransport();
        using var k = Kernel(outer);
        Assert.Equal(DropReason.NoPolicy, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1")));
        Assert.Equal(DropReason.Malformed, KernelPair.Send(k, new byte[] { 0x45, 0, 0 }));
        Assert.Empty(outer.Sent);
    }

    [Fact]
    public void Protect_policy_without_sa_raises_one_acquire_per_second()
    {
        var outer = new CapturingTransport();
        using var k = Kernel(outer);
        var acquires = new List<AcquireEvent>();
        k.Acquire += acquires.Add;
        k.InstallPolicy(Policy(7, "10.1.0.0/24", "10.2.0.0/24"));
        Assert.Equal(DropReason.NoSa, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1")));
        Assert.Equal(DropReason.NoSa, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1")));
        var a = Assert.Single(acquires);
        Assert.Equal(7u, a.ReqId);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), a.Source);
        Assert.Equal(IPAddress.Parse("10.2.0.1"), a.Destination);

        // The two packets were held while there was no SA (AcquireQueue) and leave as soon as it is installed.
        k.InstallSa(OutboundSa(0x5000, 7));
        Assert.Equal(2, outer.Sent.Count);
        Assert.Equal(DropReason.None, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1")));
        Assert.Equal(3, outer.Sent.Count);
        Assert.All(outer.Sent, s => Assert.Equal(Peer, s.Peer.Remote));
        Assert.All(outer.Sent, s => Assert.True(s.Peer.UdpEncapsulation));
    }

    [Fact]
    public void Discard_and_bypass_policies_drop_and_priority_decides()
    {
        var outer = new CapturingTransport();
        using var k = Kernel(outer);
        k.InstallSa(OutboundSa(0x5000, 1));
        k.InstallPolicy(Policy(1, "10.1.0.0/16", "10.2.0.0/16", priority: 10));
        k.InstallPolicy(Policy(2, "10.1.0.0/24", "10.2.0.0/24[tcp/22]", PolicyAction.Discard, priority: 5));
        Assert.Equal(DropReason.None, KernelPair.Send(k, TestPackets.Ipv4Udp("10.1.0.1", "10.2.0.1", 1000, 22)));
        Assert.Equal(DropReason.PolicyDiscard, KernelPair.Send(k, TestPackets.Ipv4(
            "10.1.0.1", "10.2.0.1", 6, [0x10, 0x00, 0x00, 22, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0, 0, 0, 0, 0, 0, 0])));
        k.RemovePolicy(2);
        Assert.Equal(DropReason.None, KernelPair.Send(k, TestPackets.Ipv4(
            "10.1.0.1", "10.2.0.1", 6, [0x10, 0x00, 0x00, 22, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0, 0, 0, 0, 0, 0, 0])));
        Assert.Equal(1, k.Statistics.Dropped(DropReason.PolicyDiscard));
    }

    [Fact]
    public void Newest_outbound_sa_carries_traffic_and_removal_falls_back_to_the_old_one()
    {
        var outer = new CapturingTransport();
        using var k = Kernel(outer);
        k.InstallPolicy(Policy(1, "10.1.0.0/24", "10.2.0.0/24"));
        k.InstallSa(OutboundSa(0x1111, 1));
        k.InstallSa(OutboundSa(0x2222, 1)); // rekeyed: make-before-break
        KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1"));
        Assert.Equal(0x2222u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(outer.Sent[^1].Packet));
        k.RemoveSa(0x2222, SaDirection.Outbound);
        KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1"));
        Assert.Equal(0x1111u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(outer.Sent[^1].Packet));
        k.RemoveSa(0x1111, SaDirection.Outbound);
        Assert.Equal(DropReason.NoSa, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1")));
    }

    [Fact]
    public void Removing_an_sa_zeroes_its_keys()
    {
        using var k = Kernel(new CapturingTransport());
        var key = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        k.InstallSa(OutboundSa(0x3333, 1, key));
        Assert.True(k.TryGetCounters(0x3333, SaDirection.Outbound, out _));
        k.RemoveSa(0x3333, SaDirection.Outbound);
        Assert.All(key, b => Assert.Equal(0, b));
        Assert.False(k.TryGetCounters(0x3333, SaDirection.Outbound, out _));
        k.RemoveSa(0x3333, SaDirection.Outbound); // unknown: ignored
    }

    [Fact]
    public void Allocated_spis_are_unique_and_outside_the_reserved_range()
    {
        using var k = Kernel(new CapturingTransport());
        var spis = new HashSet<uint>();
        for (int i = 0; i < 2000; i++)
        {
            uint spi = k.AllocateSpi();
            Assert.True(spi > 255);
            Assert.True(spis.Add(spi));
        }
    }

    [Fact]
    public void Ah_across_nat_and_ah_without_integrity_are_refused_esp_transport_mode_installs()
    {
        using var k = Kernel(new CapturingTransport());
        var natAh = new SaSpec
        {
            Spi = 0x400, Direction = SaDirection.Inbound, ReqId = 1, Source = Peer, Destination = Me, UdpEncapsulation = true,
            Protocol = IpsecProtocol.Ah, Encryption = new Transform(TransformType.Encryption, 0), EncryptionKey = [],
            Integrity = TestTransforms.HmacSha256_128, IntegrityKey = new byte[32],
        };
        var e = Assert.Throws<NotSupportedException>(() => k.InstallSa(natAh));
        Assert.Contains("AH cannot cross NAT (RFC 4302", e.Message);
        var noInteg = new SaSpec
        {
            Spi = 0x400, Direction = SaDirection.Inbound, ReqId = 1, Source = Peer, Destination = Me,
            Protocol = IpsecProtocol.Ah, Encryption = new Transform(TransformType.Encryption, 0), EncryptionKey = [],
        };
        Assert.ThrowsAny<Exception>(() => k.InstallSa(noInteg));
        var transport = new SaSpec
        {
            Spi = 0x400, Direction = SaDirection.Inbound, ReqId = 1, Source = Peer, Destination = Me,
            Mode = IpsecMode.Transport, Encryption = TestTransforms.AesGcm16(128), EncryptionKey = new byte[20],
        };
        // ESP transport mode (RFC 4303 §3.1.1) is supported now: it installs and is removed again.
        k.InstallSa(transport);
        Assert.True(k.TryGetCounters(0x400, SaDirection.Inbound, out _));
        k.RemoveSa(0x400, SaDirection.Inbound);
        Assert.Throws<ArgumentException>(() => k.InstallSa(OutboundSa(0x401, 1, new byte[16])));
        Assert.False(k.TryGetCounters(0x400, SaDirection.Inbound, out _));
    }

    [Fact]
    public void Protect_policies_install_and_remove_routes()
    {
        var routes = new RecordingRoutes();
        using var k = Kernel(new CapturingTransport(), routes);
        k.InstallPolicy(Policy(1, "10.1.0.0/24", "10.2.0.0/24"));
        k.InstallPolicy(Policy(2, "10.1.0.0/24", "10.3.0.0/24", PolicyAction.Discard));
        // Discard policies get routes too (their traffic must reach the data plane to be dropped).
        Assert.Equal(["+1", "+2"], routes.Log);
        k.InstallPolicy(Policy(1, "10.1.0.0/24", "10.4.0.0/24")); // replaced: old route goes, new comes
        k.RemovePolicy(1);
        k.RemovePolicy(2);
        k.RemovePolicy(99);
        Assert.Equal(["+1", "+2", "-1", "+1", "-1", "-2"], routes.Log);
        Assert.Empty(k.Policies);
    }

    [Fact]
    public void Failed_send_is_counted()
    {
        var outer = new CapturingTransport { Fail = true };
        using var k = Kernel(outer);
        k.InstallPolicy(Policy(1, "10.1.0.0/24", "10.2.0.0/24"));
        k.InstallSa(OutboundSa(0x5000, 1));
        Assert.Equal(DropReason.SendFailed, KernelPair.Send(k, TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1")));
        Assert.Equal(1, k.Statistics.Dropped(DropReason.SendFailed));
    }

    [Fact]
    public void Concurrent_install_and_remove_while_packets_flow_never_throws()
    {
        using var pair = KernelPair.AesGcm128();
        var inner = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1");
        using var stop = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var sender = Task.Factory.StartNew(() =>
        {
            started.Set();
            var buffer = new byte[UserspaceKernel.Headroom + inner.Length + UserspaceKernel.Tailroom];
            int sent = 0;
            while (!stop.IsCancellationRequested)
            {
                inner.CopyTo(buffer, UserspaceKernel.Headroom);
                var r = pair.A.ProcessOutbound(buffer, UserspaceKernel.Headroom, inner.Length);
                Assert.True(r is DropReason.None or DropReason.NoSa or DropReason.SaRemoved, r.ToString());
                sent++;
            }
            return sent;
        }, TaskCreationOptions.LongRunning);
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        for (uint spi = 0x7000; spi < 0x7000 + 2000; spi++)
        {
            pair.A.InstallSa(OutboundSa(spi, KernelPair.ReqId, new byte[20]));
            pair.A.RemoveSa(spi, SaDirection.Outbound);
        }
        stop.Cancel();
        Assert.True(sender.Result > 0);
    }

    private sealed class RecordingRoutes : IRouteController
    {
        public List<string> Log { get; } = [];
        public void PolicyInstalled(PolicySpec policy) => Log.Add($"+{policy.ReqId}");
        public void PolicyRemoved(PolicySpec policy) => Log.Add($"-{policy.ReqId}");
    }
}
