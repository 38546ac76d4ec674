using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// The engine's event feed (IkeEngine.Events): up, rekey and down of IKE and CHILD SAs in the order they
/// happen, every state change, and failures naming the part that did not match (proposal, TS, identity).
/// </summary>
public class EventFeedTests
{
    private static List<SaEvent> Record(EnginePeer p)
    {
        var list = new List<SaEvent>();
        p.Engine.Events = list.Add;
        return list;
    }

    private static List<SaEventKind> Updown(List<SaEvent> events) =>
        events.Where(e => e.Kind is not (SaEventKind.IkeState or SaEventKind.ChildState)).Select(e => e.Kind).ToList();

    [Fact]
    public void Establish_rekey_and_delete_publish_up_rekey_and_down_on_both_sides()
    {
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero });
        var left = Record(f.Left);
        var right = Record(f.Right);
        RekeyFixture.Up(f);

        Assert.Equal([SaEventKind.IkeUp, SaEventKind.ChildUp], Updown(left));
        Assert.Equal([SaEventKind.IkeUp, SaEventKind.ChildUp], Updown(right));
        var up = left.First(e => e.Kind == SaEventKind.IkeUp);
        Assert.Equal("site", up.Connection);
        Assert.Equal("ESTABLISHED", up.IkeState);
        Assert.Equal(RekeyFixture.IkeId(f.Left), up.IkeSaId);
        // Every transition is on the feed: CREATED → CONNECTING → ESTABLISHED for the initiator's IKE SA.
        Assert.Equal(["CONNECTING", "ESTABLISHED"], left.Where(e => e.Kind == SaEventKind.IkeState).Select(e => e.IkeState));
        Assert.Equal(["INSTALLING", "INSTALLED"], left.Where(e => e.Kind == SaEventKind.ChildState).Select(e => e.ChildState));
        var childUp = left.First(e => e.Kind == SaEventKind.ChildUp);
        Assert.Equal(("net", up.IkeSaId), (childUp.Child, childUp.IkeSaId));

        uint oldChild = RekeyFixture.ChildId(f.Left);
        left.Clear(); right.Clear();
        Assert.True(f.Left.Engine.RekeyChild(oldChild));
        f.Network.Run();
        var childRekey = Assert.Single(left, e => e.Kind == SaEventKind.ChildRekey);
        Assert.Equal(oldChild, childRekey.ChildSaId);
        Assert.Equal(RekeyFixture.ChildId(f.Left), childRekey.NewChildSaId);
        Assert.Single(right, e => e.Kind == SaEventKind.ChildRekey);
        // The replaced CHILD_SA's end is the rekey, not a down.
        Assert.DoesNotContain(left, e => e.Kind is SaEventKind.ChildDown or SaEventKind.ChildUp);

        uint oldIke = RekeyFixture.IkeId(f.Left);
        left.Clear(); right.Clear();
        Assert.True(f.Left.Engine.RekeyIke(oldIke));
        f.Network.Run();
        var ikeRekey = Assert.Single(left, e => e.Kind == SaEventKind.IkeRekey);
        Assert.Equal(oldIke, ikeRekey.IkeSaId);
        Assert.Equal(RekeyFixture.IkeId(f.Left), ikeRekey.NewIkeSaId);
        Assert.NotEqual(oldIke, ikeRekey.NewIkeSaId);
        Assert.Single(right, e => e.Kind == SaEventKind.IkeRekey);
        Assert.DoesNotContain(left, e => e.Kind is SaEventKind.IkeDown or SaEventKind.IkeUp);

        left.Clear(); right.Clear();
        f.Left.Engine.Terminate("site", null, _ => { });
        f.Network.Run();
        Assert.Equal([SaEventKind.ChildDown, SaEventKind.IkeDown], Updown(left));
        Assert.Equal([SaEventKind.ChildDown, SaEventKind.IkeDown], Updown(right));
        Assert.Equal(ikeRekey.NewIkeSaId, left.Last(e => e.Kind == SaEventKind.IkeDown).IkeSaId);

        var activity = f.Left.Engine.Activity();
        Assert.Equal(1, activity.IkeRekeys);
        Assert.Equal(1, activity.ChildRekeys);
        Assert.True(activity.RequestsSent["IKE_SA_INIT"] >= 1);
        Assert.True(activity.RequestsSent["CREATE_CHILD_SA"] >= 2);
        Assert.True(f.Right.Engine.Activity().ResponsesSent["IKE_AUTH"] >= 1);
    }

    [Fact]
    public void Proposal_mismatch_is_a_proposal_failure_on_both_sides()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-modp2048", rightIke: "aes256-sha384-ecp384");
        var left = Record(f.Left);
        var right = Record(f.Right);
        Assert.False(f.Initiate()!.Success);

        var l = Assert.Single(left, e => e.Kind == SaEventKind.Failure);
        Assert.Equal(SaFailure.Proposal, l.Failure);
        Assert.Contains("NO_PROPOSAL_CHOSEN", l.Message);
        Assert.Equal("site", l.Connection);
        var r = Assert.Single(right, e => e.Kind == SaEventKind.Failure);
        Assert.Equal(SaFailure.Proposal, r.Failure);
        Assert.Contains("AES_CBC_128", r.Message); // what the peer offered
        Assert.DoesNotContain(left, e => e.Kind == SaEventKind.IkeUp);
        Assert.Equal(1, f.Left.Engine.Activity().Failures[SaFailure.Proposal]);
        Assert.Equal(0, f.Left.Engine.Activity().Failures[SaFailure.Identity]);
    }

    [Fact]
    public void Traffic_selector_mismatch_is_a_ts_failure_while_the_ike_sa_comes_up()
    {
        var f = ExchangeFixture.Create(leftTs: ["10.1.0.0/24"], rightTs: ["10.2.0.0/24"], rightLocalTs: ["10.9.0.0/24"], rightRemoteTs: ["10.8.0.0/24"]);
        var left = Record(f.Left);
        var right = Record(f.Right);
        f.Initiate();

        Assert.Equal(SaFailure.TrafficSelector, Assert.Single(right, e => e.Kind == SaEventKind.Failure).Failure);
        var l = Assert.Single(left, e => e.Kind == SaEventKind.Failure);
        Assert.Equal(SaFailure.TrafficSelector, l.Failure);
        Assert.Contains("TS_UNACCEPTABLE", l.Message);
        Assert.Contains(left, e => e.Kind == SaEventKind.IkeUp);
        Assert.DoesNotContain(left, e => e.Kind == SaEventKind.ChildUp);
    }

    [Fact]
    public void Wrong_psk_is_an_identity_failure_and_no_up()
    {
        var f = ExchangeFixture.Create(leftPsk: "one-secret-here", rightPsk: "another-secret!");
        var left = Record(f.Left);
        var right = Record(f.Right);
        Assert.False(f.Initiate()!.Success);

        var r = Assert.Single(right, e => e.Kind == SaEventKind.Failure);
        Assert.Equal(SaFailure.Identity, r.Failure);
        Assert.Contains("pre-shared key failed", r.Message);
        Assert.DoesNotContain("one-secret-here", r.Message);
        Assert.Equal(SaFailure.Identity, Assert.Single(left, e => e.Kind == SaEventKind.Failure).Failure);
        Assert.DoesNotContain(left, e => e.Kind is SaEventKind.IkeUp or SaEventKind.IkeDown);
        Assert.Equal("DESTROYING", left.Last(e => e.Kind == SaEventKind.IkeState).IkeState);
    }

    [Fact]
    public void A_throwing_subscriber_does_not_break_the_exchange()
    {
        var f = ExchangeFixture.Create();
        f.Left.Engine.Events = _ => throw new InvalidOperationException("subscriber bug");
        Assert.True(f.Initiate()!.Success);
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
    }
}
