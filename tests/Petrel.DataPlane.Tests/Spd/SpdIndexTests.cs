using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Packets;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Spd;

namespace Petrel.DataPlane.Tests.Spd;

/// <summary>
/// The SPD's index by remote network against the definition it must keep: every selector pair in one list ordered
/// by priority, then strongSwan's implicit order, then install order, and the first pair that matches wins.
/// </summary>
public sealed class SpdIndexTests
{
    private static readonly IPAddress Me = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Peer = IPAddress.Parse("198.18.0.2");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Lookups_match_a_linear_scan_of_every_pair_in_order(int seed)
    {
        var random = new Random(seed);
        var spd = new SecurityPolicyDatabase();
        var installed = new Dictionary<uint, PolicySpec>();
        var order = new Dictionary<uint, long>();
        long next = 0;
        for (int step = 0; step < 600; step++)
        {
            uint reqId = (uint)random.Next(1, 200);
            if (random.Next(5) == 0)
            {
                Assert.Equal(installed.ContainsKey(reqId), spd.Remove(reqId) is not null);
                installed.Remove(reqId);
                order.Remove(reqId);
            }
            else
            {
                var spec = RandomPolicy(random, reqId);
                Assert.Equal(installed.ContainsKey(reqId), spd.Install(spec) is not null);
                installed[reqId] = spec;
                order[reqId] = ++next;
            }
            for (int probe = 0; probe < 20; probe++)
            {
                var flow = RandomFlow(random);
                uint ifId = (uint)random.Next(2);
                var expected = Linear(installed.Values, order, flow, ifId);
                Assert.Equal(expected?.ReqId, spd.LookupOutbound(flow, ifId)?.ReqId);
            }
        }
        Assert.Equal(installed.Count, spd.Count);
        Assert.Equal(installed.Keys.Order(), spd.List().Select(p => p.ReqId).Order());
        foreach (var (reqId, spec) in installed)
            Assert.Same(spec, spd.Find(reqId)!.Spec);
    }

    [Fact]
    public void A_replaced_policy_no_longer_matches_its_old_selectors()
    {
        var spd = new SecurityPolicyDatabase();
        spd.Install(Policy(7, PolicyAction.Protect, "10.1.0.0/24", "10.2.0.1/32"));
        Assert.Equal(7u, spd.LookupOutbound(Flow("10.1.0.5", "10.2.0.1"))?.ReqId);
        var replaced = spd.Install(Policy(7, PolicyAction.Protect, "10.1.0.0/24", "10.2.0.2/32"));
        Assert.NotNull(replaced);
        Assert.Null(spd.LookupOutbound(Flow("10.1.0.5", "10.2.0.1")));
        Assert.Equal(7u, spd.LookupOutbound(Flow("10.1.0.5", "10.2.0.2"))?.ReqId);
        Assert.Single(spd.List());
        spd.Remove(7);
        Assert.Null(spd.LookupOutbound(Flow("10.1.0.5", "10.2.0.2")));
        Assert.Empty(spd.List());
    }

    private static PolicyEntry? Linear(IEnumerable<PolicySpec> specs, Dictionary<uint, long> order, PacketFlow flow, uint ifId)
    {
        var pairs = specs.SelectMany(s => new PolicyEntry(s, order[s.ReqId]).Pairs()).ToList();
        pairs.Sort((a, b) => a.Spec.Priority != b.Spec.Priority ? a.Spec.Priority.CompareTo(b.Spec.Priority)
            : a.AutoPriority != b.AutoPriority ? a.AutoPriority.CompareTo(b.AutoPriority) : a.Order.CompareTo(b.Order));
        return pairs.FirstOrDefault(p => p.Spec.InterfaceIdOut == ifId && p.MatchesOutbound(flow));
    }

    // Addresses from a small space (10.0.0.0/22, 2001:db8::/126-ish) so that selectors overlap often.
    private static PolicySpec RandomPolicy(Random random, uint reqId)
    {
        var local = Enumerable.Range(0, random.Next(1, 3)).Select(_ => RandomSelector(random)).ToList();
        var remote = Enumerable.Range(0, random.Next(1, 3)).Select(_ => RandomSelector(random)).ToList();
        return new PolicySpec
        {
            ReqId = reqId,
            Action = (PolicyAction)random.Next(3),
            LocalAddress = Me,
            RemoteAddress = Peer,
            LocalTs = local,
            RemoteTs = remote,
            Priority = random.Next(4) == 0 ? random.Next(1, 3) : 0,
            InterfaceIdOut = random.Next(6) == 0 ? 1u : 0u,
        };
    }

    private static TrafficSelector RandomSelector(Random random)
    {
        bool v6 = random.Next(5) == 0;
        byte protocol = random.Next(4) == 0 ? (byte)6 : (byte)0;
        (ushort lo, ushort hi) ports = random.Next(4) == 0 ? ((ushort)80, (ushort)443) : ((ushort)0, (ushort)65535);
        if (random.Next(5) == 0)
        {
            // An arbitrary range, not a CIDR block.
            int a = random.Next(1024), b = random.Next(1024);
            return new TrafficSelector(Address(v6, Math.Min(a, b)), Address(v6, Math.Max(a, b)), protocol, ports.lo, ports.hi);
        }
        int hostBits = random.Next(0, 11);
        int start = random.Next(1024) & ~((1 << hostBits) - 1);
        var first = Address(v6, start);
        var last = Address(v6, start + (1 << hostBits) - 1);
        if (random.Next(10) == 0)
            return v6 ? new TrafficSelector(IPAddress.IPv6Any, IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), protocol, ports.lo, ports.hi)
                : new TrafficSelector(IPAddress.Any, IPAddress.Broadcast, protocol, ports.lo, ports.hi);
        return new TrafficSelector(first, last, protocol, ports.lo, ports.hi);
    }

    private static IPAddress Address(bool v6, int offset) => v6
        ? IPAddress.Parse($"2001:db8::{offset:x}")
        : new IPAddress(new byte[] { 10, 0, (byte)(offset >> 8), (byte)offset });

    private static PacketFlow RandomFlow(Random random)
    {
        bool v6 = random.Next(5) == 0;
        var family = v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return new PacketFlow(family, Number(Address(v6, random.Next(1024))), Number(Address(v6, random.Next(1024))),
            random.Next(2) == 0 ? (byte)6 : (byte)17, (ushort)random.Next(1, 1000), random.Next(2) == 0 ? (ushort)443 : (ushort)random.Next(1, 1000), true);
    }

    private static PacketFlow Flow(string source, string destination) => new(AddressFamily.InterNetwork,
        Number(IPAddress.Parse(source)), Number(IPAddress.Parse(destination)), 1, 0, 0, true);

    private static UInt128 Number(IPAddress address) => SelectorRange.ToNumber(address);

    private static PolicySpec Policy(uint reqId, PolicyAction action, string local, string remote) => new()
    {
        ReqId = reqId, Action = action, LocalAddress = Me, RemoteAddress = Peer,
        LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
    };
}
