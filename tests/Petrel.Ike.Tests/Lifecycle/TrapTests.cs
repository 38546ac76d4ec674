using System.Net;
using Petrel.DataPlane.Kernel;
using Petrel.Ike;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Lifecycle;

/// <summary>start_action = trap, acquires and close_action, on a virtual clock.</summary>
public class TrapTests
{
    private static AcquireEvent Acquire(uint reqId, string src = "10.1.0.5", string dst = "10.2.0.7") => new(reqId, IPAddress.Parse(src), IPAddress.Parse(dst));

    [Fact]
    public void Start_action_trap_installs_a_trap_policy_without_an_sa_and_an_acquire_establishes_the_narrowed_child()
    {
        var t = new LivenessFixture(startAction: "trap");
        Assert.Empty(t.Left.Engine.ListSas());
        var trap = Assert.Single(t.Left.Engine.ListTraps());
        Assert.Equal(("site", "net", "trap", false), (trap.Connection, trap.Child, trap.State, trap.Temporary));
        var policy = t.Left.Kernel.Policies[trap.ReqId];
        Assert.Equal(PolicyAction.Protect, policy.Action);
        Assert.Equal(["10.2.0.0/24"], policy.RemoteTs.Select(s => s.ToString()));
        Assert.Empty(t.Left.Kernel.Sas);

        t.Left.Engine.HandleAcquire(Acquire(trap.ReqId));
        // A second acquire while negotiating starts nothing new.
        t.Left.Engine.HandleAcquire(Acquire(trap.ReqId, "10.1.0.6"));
        t.Network.Run();

        var sa = Assert.Single(t.Left.Engine.ListSas());
        var child = Assert.Single(sa.Children);
        // §2.9: the packet's addresses went first; the responder (Petrel) kept them and the configured subnets.
        Assert.Equal(["10.1.0.5/32", "10.1.0.0/24"], child.LocalTs);
        Assert.Equal(["10.2.0.7/32", "10.2.0.0/24"], child.RemoteTs);
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
        // The start_action trap stays (it catches traffic again when this CHILD_SA goes) and ranks after the CHILD_SA.
        trap = Assert.Single(t.Left.Engine.ListTraps());
        Assert.Equal("active", trap.State);
        Assert.Equal(2, trap.Acquires);
        Assert.Equal(2, t.Left.Kernel.Policies.Count);
        Assert.Contains(t.Left.Kernel.Policies.Values, p => p.Priority < IkeEngine.TrapPriority);

        // Down: the SAs go, the trap stays.
        t.Left.Engine.Terminate("site", null, _ => { });
        t.Network.Run();
        Assert.Empty(t.Left.Engine.ListSas());
        Assert.Equal("trap", Assert.Single(t.Left.Engine.ListTraps()).State);
        Assert.Equal([trap.ReqId], t.Left.Kernel.Policies.Keys);
    }

    [Fact]
    public void Acquire_for_an_unknown_reqid_is_ignored_and_reload_without_the_trap_removes_it()
    {
        var t = new LivenessFixture(startAction: "trap");
        var trap = Assert.Single(t.Left.Engine.ListTraps());
        t.Left.Engine.HandleAcquire(Acquire(trap.ReqId + 100));
        t.Network.Run();
        Assert.Empty(t.Left.Engine.ListSas());

        t.Left.Engine.Load([LivenessFixture.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right",
            ["10.1.0.0/24"], ["10.2.0.0/24"], TimeSpan.Zero, "clear", "none", "none")], [EnginePeer.Secret("psk-psk-psk", "left", "right")]);
        Assert.Empty(t.Left.Engine.ListTraps());
        Assert.Empty(t.Left.Kernel.Policies);
    }

    [Fact]
    public void Route_and_unroute_install_and_remove_traps_on_demand()
    {
        var t = new LivenessFixture();
        Assert.Empty(t.Left.Engine.ListTraps());
        Assert.True(t.Left.Engine.Route("site", null).Success);
        Assert.Single(t.Left.Kernel.Policies);
        Assert.False(t.Left.Engine.Route("nope", null).Success);
        Assert.Equal(1, t.Left.Engine.Unroute("site", null));
        Assert.Empty(t.Left.Kernel.Policies);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("trap")]
    [InlineData("start")]
    public void Close_action_applies_when_the_peer_deletes_the_child_sa(string action)
    {
        var t = new LivenessFixture(closeAction: action);
        Assert.True(t.Up()!.Success);
        var before = Assert.Single(Assert.Single(t.Left.Engine.ListSas()).Children).SpiIn;

        t.Right.Engine.Terminate("site", "net", _ => { });
        t.Network.Run();

        var children = t.Left.Engine.ListSas().SelectMany(s => s.Children).ToList();
        switch (action)
        {
            case "none":
                Assert.Empty(children);
                Assert.Empty(t.Left.Engine.ListTraps());
                Assert.Empty(t.Left.Kernel.Policies);
                break;
            case "trap":
                Assert.Empty(children);
                Assert.Equal("trap", Assert.Single(t.Left.Engine.ListTraps()).State);
                Assert.Single(t.Left.Kernel.Policies);
                break;
            case "start":
                var child = Assert.Single(children);
                Assert.NotEqual(before, child.SpiIn);
                Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
                break;
        }
    }

    [Fact]
    public void Close_action_start_brings_the_tunnel_back_when_the_peer_deletes_the_ike_sa()
    {
        var t = new LivenessFixture(closeAction: "start");
        Assert.True(t.Up()!.Success);
        var first = t.F.LeftSa.UniqueId;
        t.Right.Engine.Terminate("site", null, _ => { });
        t.Network.Run();

        var sa = Assert.Single(t.Left.Engine.ListSas());
        Assert.NotEqual(first, sa.UniqueId);
        Assert.Equal("ESTABLISHED", sa.State);
        Assert.Single(sa.Children);
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
    }

    [Fact]
    public void Our_own_delete_does_not_trigger_close_action()
    {
        var t = new LivenessFixture(closeAction: "start");
        Assert.True(t.Up()!.Success);
        t.Left.Engine.Terminate("site", null, _ => { });
        t.Network.Run();
        t.Until(() => false, TimeSpan.FromSeconds(10));
        Assert.Empty(t.Left.Engine.ListSas());
        Assert.Empty(t.Right.Engine.ListSas());
    }
}
