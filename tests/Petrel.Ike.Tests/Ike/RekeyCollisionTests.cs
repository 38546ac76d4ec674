using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// CHILD_SA and IKE SA rekeying on demand, and every collision order (RFC 7296 §2.8.1, §2.25; the cases of
/// strongSwan's test_child_rekey / test_ike_rekey): each ends with exactly one CHILD_SA pair in both kernels.
/// </summary>
public class RekeyCollisionTests
{
    // No timers of their own: the tests start every rekey.
    private static readonly RekeyFixture.Lifetimes Manual = new() { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero };

    private static ExchangeFixture Up(string esp = "aes128gcm16")
    {
        var f = RekeyFixture.Create(Manual with { Esp = esp });
        RekeyFixture.Up(f);
        return f;
    }

    private static bool IsCreateChild(Datagram d) => d.ExchangeType == 36;

    [Theory]
    [InlineData("aes128gcm16")]
    [InlineData("aes128gcm16-ecp256")]
    public void Child_rekey_installs_the_new_pair_before_removing_the_old_one(string esp)
    {
        var f = Up(esp);
        var old = RekeyFixture.ChildId(f.Left);
        var oldIn = f.Left.Kernel.Inbound.Spi;
        f.Left.Kernel.Log.Clear();

        Assert.True(f.Left.Engine.RekeyChild(old));
        f.Network.Run();

        RekeyFixture.AssertOnePair(f);
        Assert.NotEqual(oldIn, f.Left.Kernel.Inbound.Spi);
        // Initiator: new inbound, new outbound, then (after the delete exchange) the old ones go; the policy stays.
        Assert.Equal(
            [$"install Inbound {f.Left.Kernel.Inbound.Spi:x8}", $"install Outbound {f.Left.Kernel.Outbound.Spi:x8}", $"remove Inbound {oldIn:x8}"],
            f.Left.Kernel.Log.Take(3));
        Assert.DoesNotContain(f.Left.Kernel.Log, l => l.StartsWith("unpolicy", StringComparison.Ordinal) || l.StartsWith("policy", StringComparison.Ordinal));
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
        Assert.Equal(esp.Contains("ecp") ? "ECP_256" : "", Assert.Single(f.LeftSa.Children).Dh);
        Assert.Contains("rekeyed as", f.Left.Log.All);
        Assert.Contains("rekeyed by the peer", f.Right.Log.All);
    }

    [Fact]
    public void Child_rekey_responder_holds_its_new_outbound_sa_back_until_the_old_one_is_deleted()
    {
        var f = Up();
        var oldOut = f.Right.Kernel.Outbound.Spi;
        // Stop the initiator's DELETE so the responder stays between the two exchanges.
        f.Network.Lose(d => d.ExchangeType == 37 && !d.IsResponse && d.Source.Address.Equals(ExchangeFixture.LeftAddress), count: 1);
        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();

        // Right: new inbound installed, but it still sends on the old outbound SA (the left may not have the new inbound yet).
        Assert.Equal(3, f.Right.Kernel.Sas.Count);
        Assert.Equal(oldOut, f.Right.Kernel.Outbound.Spi);
        var rc = f.Right.Engine.ListSas()[0].Children;
        Assert.Contains(rc, c => c.State == "REKEYED");

        f.Advance(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)); // retransmitted DELETE arrives
        RekeyFixture.AssertOnePair(f);
        Assert.NotEqual(oldOut, f.Right.Kernel.Outbound.Spi);
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    [Fact]
    public void Simultaneous_child_rekeys_keep_exactly_one_pair_whichever_nonce_is_lower()
    {
        var f = Up();
        int leftLost = 0, rightLost = 0;
        for (int round = 0; round < 10; round++)
        {
            int ll = Count(f.Left.Log.All, "collision lost"), rl = Count(f.Right.Log.All, "collision lost");
            Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
            Assert.True(f.Right.Engine.RekeyChild(RekeyFixture.ChildId(f.Right)));
            f.Network.Run();
            f.Advance(TimeSpan.FromSeconds(1));
            RekeyFixture.AssertOnePair(f);
            int dl = Count(f.Left.Log.All, "collision lost") - ll, dr = Count(f.Right.Log.All, "collision lost") - rl;
            // Exactly one side lost each round, and both agree which.
            Assert.Equal(1, dl + dr);
            Assert.Equal(1, Count(f.Left.Log.All, "collision won") + Count(f.Right.Log.All, "collision won") - round);
            leftLost += dl;
            rightLost += dr;
        }
        // Both nonce orders happened.
        Assert.True(leftLost > 0 && rightLost > 0, $"left lost {leftLost}, right lost {rightLost}");
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    [Fact]
    public void Simultaneous_child_rekeys_with_a_late_request_end_with_one_pair()
    {
        var f = Up();
        // Left's rekey request is lost once: right's exchange completes first, and left's retransmit arrives after
        // right already replaced the SA (and is deleting the old one).
        f.Network.Lose(d => IsCreateChild(d) && !d.IsResponse && d.Source.Address.Equals(ExchangeFixture.LeftAddress), count: 1);
        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        Assert.True(f.Right.Engine.RekeyChild(RekeyFixture.ChildId(f.Right)));
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        RekeyFixture.AssertOnePair(f);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Rekey_colliding_with_a_delete_of_the_same_child_leaves_nothing_stale(bool rekeyFirst)
    {
        var f = Up();
        void Rekey() => Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        void Delete() => f.Right.Engine.Terminate("site", "net", _ => { });
        if (rekeyFirst) { Rekey(); Delete(); } else { Delete(); Rekey(); }
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));

        // The delete wins: no CHILD_SA, no SA, no policy anywhere; the IKE SA stays.
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Empty(f.Left.Kernel.Policies);
        Assert.Empty(f.Right.Kernel.Policies);
        Assert.Empty(f.LeftSa.Children);
        Assert.Empty(f.RightSa.Children);
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
    }

    [Fact]
    public void Delete_after_the_rekey_completed_removes_the_replacement_too()
    {
        var f = Up();
        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();
        RekeyFixture.AssertOnePair(f);
        f.Right.Engine.Terminate("site", "net", _ => { });
        f.Network.Run();
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Empty(f.Left.Kernel.Policies);
        Assert.Empty(f.Right.Kernel.Policies);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Child_rekey_colliding_with_an_ike_rekey_gets_temporary_failure_and_both_retry(bool childOnLeft)
    {
        var f = Up();
        var (childSide, ikeSide) = childOnLeft ? (f.Left, f.Right) : (f.Right, f.Left);
        var oldIke = f.LeftSa.InitiatorSpi;
        Assert.True(childSide.Engine.RekeyChild(RekeyFixture.ChildId(childSide)));
        Assert.True(ikeSide.Engine.RekeyIke(RekeyFixture.IkeId(ikeSide)));
        f.Network.Run();
        Assert.Contains("TEMPORARY_FAILURE", f.Left.Log.All + f.Right.Log.All);

        f.Advance(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(1));

        RekeyFixture.AssertOnePair(f);
        Assert.NotEqual(oldIke, f.LeftSa.InitiatorSpi);
        Assert.Equal(2, f.Left.Engine.ChildRekeysInitiated + f.Right.Engine.ChildRekeysInitiated);
        Assert.Equal(2, f.Left.Engine.IkeRekeysInitiated + f.Right.Engine.IkeRekeysInitiated);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    [Theory]
    [InlineData("request")]
    [InlineData("response")]
    public void A_lost_rekey_message_is_retransmitted_and_answered_once(string lost)
    {
        var f = Up();
        f.Network.Lose(d => IsCreateChild(d) && d.IsResponse == (lost == "response"), count: 1);
        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();
        Assert.Equal(1, f.Network.Dropped);
        f.Advance(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1));
        RekeyFixture.AssertOnePair(f);
        if (lost == "response") Assert.Contains("sending the cached response", f.Right.Log.All);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    [Fact]
    public void A_late_retransmit_of_a_completed_rekey_changes_nothing()
    {
        var f = Up();
        Datagram? copy = null;
        f.Network.Intercept(d => IsCreateChild(d) && !d.IsResponse, d => { copy ??= new Datagram(d.Source, d.Destination, (byte[])d.Data.Clone()); return true; });
        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();
        f.Network.ClearRules();
        RekeyFixture.AssertOnePair(f);
        var before = f.Right.Kernel.Log.Count;

        f.Network.Inject(copy!.Source, copy.Destination, copy.Data);
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));

        RekeyFixture.AssertOnePair(f);
        Assert.Equal(before, f.Right.Kernel.Log.Count);
    }

    [Fact]
    public void Ike_rekey_moves_the_child_sas_without_touching_the_data_plane()
    {
        var f = Up();
        var old = f.LeftSa;
        f.Left.Kernel.Log.Clear();
        f.Right.Kernel.Log.Clear();

        Assert.True(f.Left.Engine.RekeyIke(old.UniqueId));
        Assert.Equal("REKEYING", f.LeftSa.State);
        f.Network.Run();

        RekeyFixture.AssertOnePair(f);
        var now = f.LeftSa;
        Assert.NotEqual(old.UniqueId, now.UniqueId);
        Assert.NotEqual(old.InitiatorSpi, now.InitiatorSpi);
        Assert.NotEqual(old.ResponderSpi, now.ResponderSpi);
        Assert.Equal(old.Children[0].SpiIn, now.Children[0].SpiIn);
        Assert.Empty(f.Left.Kernel.Log);
        Assert.Empty(f.Right.Kernel.Log);

        // The new IKE SA works: message IDs restarted at 0, and a CHILD_SA rekey runs over it.
        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();
        RekeyFixture.AssertOnePair(f);
        Assert.True(f.Right.Engine.RekeyIke(RekeyFixture.IkeId(f.Right)));
        f.Network.Run();
        RekeyFixture.AssertOnePair(f);
        Assert.False(f.LeftSa.Initiator);
    }

    [Fact]
    public void Simultaneous_ike_rekeys_keep_one_ike_sa_with_the_children()
    {
        var f = Up();
        int leftLost = 0, rightLost = 0;
        for (int round = 0; round < 8; round++)
        {
            int ll = Count(f.Left.Log.All, "IKE_SA rekey collision lost"), rl = Count(f.Right.Log.All, "IKE_SA rekey collision lost");
            var before = f.LeftSa.InitiatorSpi;
            Assert.True(f.Left.Engine.RekeyIke(RekeyFixture.IkeId(f.Left)));
            Assert.True(f.Right.Engine.RekeyIke(RekeyFixture.IkeId(f.Right)));
            f.Network.Run();
            f.Advance(TimeSpan.FromSeconds(1));
            RekeyFixture.AssertOnePair(f);
            Assert.NotEqual(before, f.LeftSa.InitiatorSpi);
            int dl = Count(f.Left.Log.All, "IKE_SA rekey collision lost") - ll, dr = Count(f.Right.Log.All, "IKE_SA rekey collision lost") - rl;
            Assert.Equal(1, dl + dr);
            leftLost += dl;
            rightLost += dr;
        }
        Assert.True(leftLost > 0 && rightLost > 0, $"left lost {leftLost}, right lost {rightLost}");
    }

    [Fact]
    public void Reauthentication_builds_the_new_ike_sa_before_deleting_the_old_one()
    {
        var f = Up();
        var old = f.LeftSa;
        Assert.True(f.Left.Engine.Reauthenticate(old.UniqueId));
        f.Network.Run();

        var sa = Assert.Single(f.Left.Engine.ListSas());
        Assert.NotEqual(old.UniqueId, sa.UniqueId);
        Assert.NotEqual(old.InitiatorSpi, sa.InitiatorSpi);
        Assert.NotEqual(old.Children[0].SpiIn, sa.Children[0].SpiIn);
        RekeyFixture.AssertOnePair(f);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
        Assert.Equal(1, f.Left.Engine.ReauthsInitiated);
    }

    [Fact]
    public void Reauth_time_reauthenticates_periodically()
    {
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, Reauth = TimeSpan.FromHours(1), ChildRekey = TimeSpan.Zero },
            Manual);
        RekeyFixture.Up(f);
        f.Advance(TimeSpan.FromHours(3), TimeSpan.FromSeconds(30));
        Assert.Equal(3, f.Left.Engine.ReauthsInitiated);
        RekeyFixture.AssertOnePair(f);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    private static int Count(string text, string what)
    {
        int n = 0, i = 0;
        while ((i = text.IndexOf(what, i, StringComparison.Ordinal)) >= 0) { n++; i += what.Length; }
        return n;
    }
}
