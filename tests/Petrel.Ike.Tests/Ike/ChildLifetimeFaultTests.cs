using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// The 10 % loss fault of issue 12: a CHILD_SA whose rekey falls into a slow IKE SA rekey must still be replaced
/// before its hard lifetime, and a CHILD_SA that reaches its hard lifetime anyway is created again (charon's
/// "CHILD_SA recreate after hard expire"), so the tunnel does not stay down.
/// </summary>
public class ChildLifetimeFaultTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);

    private static bool IsCreateChild(Datagram d) => d.ExchangeType == 36;

    private static bool From(Datagram d, EnginePeer p) => d.Source.Address.Equals(p.Address);

    /// <summary>
    /// The bench's sw-petrel run: the peer (right) rekeys the IKE SA and its request is lost once; meanwhile our CHILD_SA
    /// (left: rekey_time 60 s, life_time 62 s, no jitter) is due, and the peer refuses that rekey with TEMPORARY_FAILURE
    /// (RFC 7296 §2.25) because its IKE SA is rekeying. The retry would come 5–15 s later, after the hard lifetime; once
    /// the IKE SA rekey lands, the owed rekey must start on the new IKE SA at once.
    /// </summary>
    [Fact]
    public void A_child_rekey_refused_during_the_peers_ike_rekey_starts_on_the_new_ike_sa_at_once()
    {
        var left = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.FromSeconds(60), ChildLife = TimeSpan.FromSeconds(62), ChildRand = TimeSpan.Zero };
        var right = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.FromSeconds(57), IkeRand = TimeSpan.Zero, Over = TimeSpan.FromHours(1), ChildRekey = TimeSpan.Zero };
        var f = RekeyFixture.Create(left, right);
        RekeyFixture.Up(f);
        var firstChild = RekeyFixture.ChildId(f.Left);
        var firstIke = RekeyFixture.IkeId(f.Left);

        f.Advance(TimeSpan.FromSeconds(56), Step);
        Assert.Equal(0, f.Right.Engine.IkeRekeysInitiated);
        // The peer's IKE SA rekey request is lost once: it is retransmitted 4 s later, at 61 s.
        f.Network.Lose(d => IsCreateChild(d) && !d.IsResponse && From(d, f.Right), count: 1);
        f.Advance(TimeSpan.FromSeconds(4) + Step, Step);
        Assert.Equal(1, f.Right.Engine.IkeRekeysInitiated);
        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated);
        Assert.Contains("while the IKE_SA is rekeying: sending TEMPORARY_FAILURE", f.Right.Log.All);
        Assert.Contains("peer answered TEMPORARY_FAILURE to the rekey of CHILD_SA", f.Left.Log.All);
        Assert.Equal(firstChild, RekeyFixture.ChildId(f.Left));

        // 61 s: the retransmitted IKE SA rekey arrives; the owed CHILD_SA rekey follows on the new IKE SA before 62 s.
        f.Advance(TimeSpan.FromSeconds(1) + Step, Step);
        f.Advance(TimeSpan.FromSeconds(10), Step);

        Assert.NotEqual(firstIke, RekeyFixture.IkeId(f.Left));
        Assert.NotEqual(firstChild, RekeyFixture.ChildId(f.Left));
        Assert.Equal(2, f.Left.Engine.ChildRekeysInitiated);
        Assert.DoesNotContain("reached its hard lifetime", f.Left.Log.All + f.Right.Log.All);
        RekeyFixture.AssertOnePair(f);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    /// <summary>
    /// Our own IKE SA rekey is slow (its request lost once) and the CHILD_SA's soft lifetime passes meanwhile: the
    /// CHILD_SA rekey waits (§2.25), and the engine does not ask to be woken for it over and over while it waits;
    /// it starts right after the IKE SA rekey completes, still before the hard lifetime.
    /// </summary>
    [Fact]
    public void A_child_rekey_due_during_our_own_ike_rekey_waits_without_busy_wakeups_and_follows_it()
    {
        var left = new RekeyFixture.Lifetimes
        {
            IkeRekey = TimeSpan.FromSeconds(57), IkeRand = TimeSpan.Zero, Over = TimeSpan.FromHours(1),
            ChildRekey = TimeSpan.FromSeconds(60), ChildLife = TimeSpan.FromSeconds(62), ChildRand = TimeSpan.Zero,
        };
        var right = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero };
        var f = RekeyFixture.Create(left, right);
        RekeyFixture.Up(f);
        var firstChild = RekeyFixture.ChildId(f.Left);

        f.Advance(TimeSpan.FromSeconds(56), Step);
        f.Network.Lose(d => IsCreateChild(d) && !d.IsResponse && From(d, f.Left), count: 1);
        f.Advance(TimeSpan.FromSeconds(3) + Step, Step); // 59.5 s: rekeying, the retransmit is due at 61 s
        Assert.Equal(1, f.Left.Engine.IkeRekeysInitiated);
        Assert.Equal("REKEYING", f.LeftSa.State);
        f.Advance(TimeSpan.FromSeconds(1), Step); // 60.5 s: the CHILD_SA's soft lifetime has passed

        Assert.Equal(0, f.Left.Engine.ChildRekeysInitiated);
        var next = f.Left.Engine.NextDeadline;
        Assert.NotNull(next);
        Assert.True(next > f.Clock.Now, $"next wake-up {next} is not after now {f.Clock.Now}: the blocked rekey would wake the engine on every tick");

        f.Advance(TimeSpan.FromSeconds(1), Step); // 61.5 s: the IKE SA rekey completed at 61 s, the CHILD_SA rekey followed
        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated);
        Assert.NotEqual(firstChild, RekeyFixture.ChildId(f.Left));
        f.Advance(TimeSpan.FromSeconds(5), Step);
        Assert.DoesNotContain("reached its hard lifetime", f.Left.Log.All + f.Right.Log.All);
        RekeyFixture.AssertOnePair(f);
    }

    /// <summary>
    /// A CHILD_SA whose every rekey fails (the peer refuses it) reaches its hard lifetime on a live IKE SA: it is
    /// deleted and created again, like charon does, so the tunnel is back with new SPIs.
    /// </summary>
    [Fact]
    public void A_hard_expired_child_sa_is_created_again_on_the_live_ike_sa()
    {
        var left = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero, ChildLife = TimeSpan.FromMinutes(10) };
        var right = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero, ChildLife = TimeSpan.FromMinutes(30) };
        var f = RekeyFixture.Create(left, right);
        RekeyFixture.Up(f);
        var first = RekeyFixture.ChildId(f.Left);
        var firstSpi = f.Left.Kernel.Inbound.Spi;
        var ike = RekeyFixture.IkeId(f.Left);

        f.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        Assert.Equal(first, RekeyFixture.ChildId(f.Left));
        f.Advance(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10));

        Assert.Contains("reached its hard lifetime, deleting it and creating it again", f.Left.Log.All);
        Assert.Equal(ike, RekeyFixture.IkeId(f.Left));
        Assert.NotEqual(first, RekeyFixture.ChildId(f.Left));
        Assert.NotEqual(firstSpi, f.Left.Kernel.Inbound.Spi);
        RekeyFixture.AssertOnePair(f);
        Assert.Equal(0, f.Left.Engine.ChildRekeysInitiated + f.Right.Engine.ChildRekeysInitiated);
    }

    /// <summary>
    /// The old CHILD_SA of a rekey reaches its hard lifetime on the rekey's responder while the initiator's DELETE for it
    /// is lost: it is only deleted, since its replacement carries the traffic; nothing is created again.
    /// </summary>
    [Fact]
    public void A_rekeyed_child_sa_that_expires_is_not_created_again()
    {
        var left = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.FromSeconds(60), ChildLife = TimeSpan.FromSeconds(70), ChildRand = TimeSpan.Zero };
        var right = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero, ChildLife = TimeSpan.FromSeconds(62) };
        var f = RekeyFixture.Create(left, right);
        RekeyFixture.Up(f);
        var first = RekeyFixture.ChildId(f.Left);
        f.Advance(TimeSpan.FromSeconds(59), Step);
        // The first INFORMATIONAL request of the left after the rekey's CREATE_CHILD_SA is the DELETE of the old SA.
        bool rekeyed = false, lost = false;
        f.Network.Intercept(_ => true, d =>
        {
            if (IsCreateChild(d) && d.IsResponse) rekeyed = true;
            else if (rekeyed && !lost && d.ExchangeType == 37 && !d.IsResponse && From(d, f.Left)) return !(lost = true);
            return true;
        });
        f.Advance(TimeSpan.FromSeconds(10), Step);
        Assert.True(lost);

        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated);
        Assert.NotEqual(first, RekeyFixture.ChildId(f.Left));
        Assert.Contains("reached its hard lifetime, deleting it", f.Right.Log.All);
        Assert.DoesNotContain("creating it again", f.Left.Log.All + f.Right.Log.All);
        RekeyFixture.AssertOnePair(f);
    }
}
