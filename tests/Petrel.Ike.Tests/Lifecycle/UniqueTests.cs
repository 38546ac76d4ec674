using Petrel.Ike;
using Petrel.Ike.Config;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Lifecycle;

/// <summary>unique = never / no / replace / keep on the responder (strongSwan's check_uniqueness), and simultaneous initiation.</summary>
public class UniqueTests
{
    /// <summary>Left has two connections to right with the same identities: the second IKE SA is a duplicate on right (no INITIAL_CONTACT, left has an SA).</summary>
    private static (LivenessFixture T, InitiateResult? Second) TwoSas(string unique)
    {
        var t = new LivenessFixture(rightUnique: unique);
        ConnectionConfig Conn(string name, string[] local, string[] remote) => LivenessFixture.Connection(name, ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress,
            "left", "right", local, remote, TimeSpan.Zero, "clear", "none", "none");
        t.Left.Engine.Load([Conn("a", ["10.1.0.0/24"], ["10.2.0.0/24"]), Conn("b", ["10.1.0.0/24"], ["10.2.0.0/24"])], [EnginePeer.Secret("psk-psk-psk", "left", "right")]);
        InitiateResult? first = null, second = null;
        t.Left.Engine.Initiate("a", null, r => first = r);
        t.Network.Run();
        Assert.True(first!.Success, first.Message);
        t.Left.Engine.Initiate("b", null, r => second = r);
        t.Network.Run();
        return (t, second);
    }

    [Theory]
    [InlineData("no")]
    [InlineData("never")]
    public void No_and_never_keep_both_ike_sas(string unique)
    {
        var (t, second) = TwoSas(unique);
        Assert.True(second!.Success, second.Message);
        Assert.Equal(2, t.Right.Engine.ListSas().Count);
        Assert.Equal(2, t.Left.Engine.ListSas().Count);
    }

    [Fact]
    public void Replace_deletes_the_older_ike_sa_and_tells_the_peer()
    {
        var (t, second) = TwoSas("replace");
        Assert.True(second!.Success, second.Message);
        var right = Assert.Single(t.Right.Engine.ListSas());
        var left = Assert.Single(t.Left.Engine.ListSas());
        Assert.Equal("b", left.Name);
        Assert.Equal(left.InitiatorSpi, right.InitiatorSpi);
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
        Assert.Contains("deleting duplicate IKE_SA", t.Right.Log.All);
    }

    [Fact]
    public void Keep_refuses_the_new_ike_sa_with_authentication_failed()
    {
        var (t, second) = TwoSas("keep");
        Assert.False(second!.Success);
        Assert.Contains("AUTHENTICATION_FAILED", second.Message);
        var right = Assert.Single(t.Right.Engine.ListSas());
        var left = Assert.Single(t.Left.Engine.ListSas());
        Assert.Equal("a", left.Name);
        Assert.Equal(left.InitiatorSpi, right.InitiatorSpi);
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
    }

    [Fact]
    public void Never_ignores_initial_contact_from_a_restarted_peer()
    {
        var t = new LivenessFixture(rightUnique: "never");
        Assert.True(t.Up()!.Success);
        var restarted = new EnginePeer("left2", ExchangeFixture.LeftAddress, t.Network, t.Clock, 9, LivenessFixture.Fast);
        restarted.Engine.Load([LivenessFixture.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right",
            ["10.1.0.0/24"], ["10.2.0.0/24"], TimeSpan.Zero, "clear", "none", "none")], [EnginePeer.Secret("psk-psk-psk", "left", "right")]);
        InitiateResult? result = null;
        restarted.Engine.Initiate("site", null, r => result = r);
        t.Network.Run();
        Assert.True(result!.Success, result.Message);
        Assert.Equal(2, t.Right.Engine.ListSas().Count);
        Assert.DoesNotContain("started over", t.Right.Log.All);
    }

    [Fact]
    public void Simultaneous_initiation_by_both_peers_ends_with_working_tunnels_as_strongswan_does()
    {
        var t = new LivenessFixture();
        t.Right.Engine.Load([LivenessFixture.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left",
            ["10.2.0.0/24"], ["10.1.0.0/24"], TimeSpan.Zero, "clear", "none", "none")], [EnginePeer.Secret("psk-psk-psk", "left", "right")]);
        InitiateResult? l = null, r = null;
        t.Left.Engine.Initiate("site", null, x => l = x);
        t.Right.Engine.Initiate("site", null, x => r = x);
        t.Network.Run();
        Assert.True(l!.Success, l.Message);
        Assert.True(r!.Success, r.Message);
        // unique = no: both IKE SAs stay (strongSwan keeps both too); every CHILD_SA works both ways.
        Assert.Equal(2, t.Left.Engine.ListSas().Count(s => s.State == "ESTABLISHED"));
        Assert.Equal(2, t.Right.Engine.ListSas().Count(s => s.State == "ESTABLISHED"));
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
        // And it stays working: DPD-free, nothing gets torn down over a minute.
        t.Until(() => false, TimeSpan.FromSeconds(60));
        Assert.True(LivenessFixture.TunnelWorks(t.Left.Kernel, t.Right.Kernel));
    }
}
