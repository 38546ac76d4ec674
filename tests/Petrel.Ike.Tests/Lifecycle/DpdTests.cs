using Petrel.DataPlane.Kernel;
using Petrel.Ike;

namespace Petrel.Ike.Tests.Lifecycle;

/// <summary>DPD (RFC 7296 §2.4, strongSwan semantics) and dpd_action, on a virtual clock.</summary>
public class DpdTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_liveness_check_goes_out_only_after_dpd_delay_without_inbound_traffic()
    {
        var t = new LivenessFixture(Delay);
        Assert.True(t.Up()!.Success);

        t.Until(() => false, TimeSpan.FromSeconds(29));
        Assert.Equal(0, t.Left.Engine.LivenessChecksSent);
        var took = t.Until(() => t.Left.Engine.LivenessChecksSent > 0, TimeSpan.FromSeconds(5));
        Assert.NotNull(took);
        Assert.InRange(took.Value.TotalSeconds, 0.5, 1.5);
        // Answered: the SA stays, and the next check waits another dpd_delay.
        t.Until(() => false, TimeSpan.FromSeconds(25));
        Assert.Equal(1, t.Left.Engine.LivenessChecksSent);
        Assert.Equal("ESTABLISHED", Assert.Single(t.Left.Engine.ListSas()).State);
        Assert.Equal(0, t.Right.Engine.LivenessChecksSent);
    }

    [Fact]
    public void Inbound_esp_counts_as_liveness_so_no_check_is_sent_while_it_flows()
    {
        var t = new LivenessFixture(Delay);
        Assert.True(t.Up()!.Success);
        for (int i = 0; i < 30; i++)
        {
            t.Left.Kernel.ReceiveEsp(5);
            t.Until(() => false, TimeSpan.FromSeconds(10));
        }
        Assert.Equal(0, t.Left.Engine.LivenessChecksSent);

        // Traffic stops: one check dpd_delay after the last packet was noticed (it is seen at most one dpd_delay late).
        var took = t.Until(() => t.Left.Engine.LivenessChecksSent > 0, TimeSpan.FromSeconds(61));
        Assert.NotNull(took);
        Assert.InRange(took.Value.TotalSeconds, 20, 60.5);
    }

    [Fact]
    public void A_dead_peer_is_detected_after_dpd_delay_plus_the_retransmission_backoff_and_clear_removes_everything()
    {
        var t = new LivenessFixture(Delay, dpdAction: "clear");
        Assert.True(t.Up()!.Success);
        t.RightDown = true;

        var took = t.Until(() => t.Left.Engine.ListSas().Count == 0, TimeSpan.FromSeconds(120));
        Assert.NotNull(took);
        // 30 s idle + 1 + 2 + 4 + 8 s of retransmissions.
        Assert.InRange(took.Value.TotalSeconds, (Delay + LivenessFixture.GiveUp).TotalSeconds - 0.5, (Delay + LivenessFixture.GiveUp).TotalSeconds + 1);
        Assert.Empty(t.Left.Kernel.Sas);
        Assert.Empty(t.Left.Kernel.Policies);
        Assert.Empty(t.Left.Engine.ListTraps());
        // Nothing comes back by itself.
        t.RightDown = false;
        t.Until(() => false, TimeSpan.FromSeconds(60));
        Assert.Empty(t.Left.Engine.ListSas());
        Assert.Empty(t.Left.Engine.PendingRestarts);
        Assert.Contains("giving up after 3 retransmits of Informational", t.Left.Log.All);
    }

    [Fact]
    public void Dpd_action_trap_installs_a_trap_policy_and_traffic_brings_the_tunnel_back()
    {
        var t = new LivenessFixture(Delay, dpdAction: "trap");
        Assert.True(t.Up()!.Success);
        t.RightDown = true;
        Assert.NotNull(t.Until(() => t.Left.Engine.ListSas().Count == 0, TimeSpan.FromSeconds(120)));

        var trap = Assert.Single(t.Left.Engine.ListTraps());
        Assert.Equal("trap", trap.State);
        Assert.True(trap.Temporary);
        var policy = Assert.Single(t.Left.Kernel.Policies.Values);
        Assert.Equal(trap.ReqId, policy.ReqId);
        Assert.Equal(IkeEngine.TrapPriority, policy.Priority);
        Assert.Equal(["10.1.0.0/24"], policy.LocalTs.Select(s => s.ToString()));
        Assert.Empty(t.Left.Kernel.Sas);

        // The peer comes back (restarted); a packet hits the trap.
        t.RightDown = false;
        t.Right.Engine.Load([], []);
        t.Right.Engine.Load([LivenessFixture.Connection("site", Ike.ExchangeFixture.RightAddress, Ike.ExchangeFixture.LeftAddress, "right", "left",
            ["10.2.0.0/24"], ["10.1.0.0/24"], TimeSpan.Zero, "clear", "none", "none")], [Ike.EnginePeer.Secret("psk-psk-psk", "left", "right")]);
        t.Left.Engine.HandleAcquire(new AcquireEvent(trap.ReqId, System.Net.IPAddress.Parse("10.1.0.5"), System.Net.IPAddress.Parse("10.2.0.7")));
        t.Network.Run();

        var sa = Assert.Single(t.Left.Engine.ListSas());
        Assert.Equal("ESTABLISHED", sa.State);
        var child = Assert.Single(sa.Children);
        Assert.Equal("10.1.0.5/32", child.LocalTs[0]);
        Assert.Equal("10.2.0.7/32", child.RemoteTs[0]);
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
        // A dpd_action trap is temporary: gone once the CHILD_SA is back.
        Assert.Empty(t.Left.Engine.ListTraps());
        Assert.DoesNotContain(t.Left.Kernel.Policies.Values, p => p.Priority == IkeEngine.TrapPriority);
    }

    [Fact]
    public void Dpd_action_restart_reinitiates_at_once_and_keeps_retrying_with_backoff_until_the_peer_is_back()
    {
        var t = new LivenessFixture(Delay, dpdAction: "restart");
        Assert.True(t.Up()!.Success);
        var firstSpi = t.F.LeftSa.InitiatorSpi;
        t.RightDown = true;

        Assert.NotNull(t.Until(() => t.Left.Engine.ListSas().All(s => s.InitiatorSpi != firstSpi), TimeSpan.FromSeconds(120)));
        // Re-initiated at once: a new IKE SA is connecting.
        Assert.Equal("CONNECTING", Assert.Single(t.Left.Engine.ListSas()).State);
        Assert.Equal(1, Assert.Single(t.Left.Engine.PendingRestarts).Attempts);

        // Each attempt gives up after 15 s, then waits 1, 2, 4 … s: after 90 s several attempts were made.
        t.Until(() => false, TimeSpan.FromSeconds(90));
        int attempts = Assert.Single(t.Left.Engine.PendingRestarts).Attempts;
        Assert.InRange(attempts, 3, 6);
        Assert.Contains("retrying in 2 s", t.Left.Log.All);
        Assert.Contains("retrying in 4 s", t.Left.Log.All);

        // strongSwan is back: the next attempt (or retransmission) gets through.
        t.RightDown = false;
        Assert.NotNull(t.Until(() => t.Left.Engine.ListSas().Any(s => s.State == "ESTABLISHED" && s.Children.Count == 1), TimeSpan.FromSeconds(60)));
        Assert.Empty(t.Left.Engine.PendingRestarts);
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
        Assert.Single(t.Left.Kernel.Policies);
        Assert.Equal(2, t.Left.Kernel.Sas.Count);
    }

    [Fact]
    public void Down_cancels_a_pending_restart()
    {
        var t = new LivenessFixture(Delay, dpdAction: "restart");
        Assert.True(t.Up()!.Success);
        t.RightDown = true;
        Assert.NotNull(t.Until(() => t.Left.Engine.PendingRestarts.Count == 1, TimeSpan.FromSeconds(120)));
        t.Left.Engine.Terminate("site", null, _ => { });
        t.Until(() => false, TimeSpan.FromSeconds(60));
        Assert.Empty(t.Left.Engine.PendingRestarts);
        Assert.Empty(t.Left.Engine.ListSas());
    }
}
