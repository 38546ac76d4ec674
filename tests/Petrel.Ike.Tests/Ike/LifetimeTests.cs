using Petrel.DataPlane.Kernel;
using Petrel.Ike;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>Lifetimes with a virtual clock: hours of SA life in milliseconds.</summary>
public class LifetimeTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    [Fact]
    public void Child_jitter_stays_within_rekey_time_minus_rand_time_and_defaults_follow_strongswan()
    {
        var random = new DeterministicRandom(7);
        var child = new ChildConfig { Name = "c", LocalTs = ["dynamic"], RemoteTs = ["dynamic"], RekeyTime = TimeSpan.FromHours(1) };
        var seen = new List<TimeSpan>();
        for (int i = 0; i < 500; i++)
        {
            var s = LifetimeSchedule.ForChild(child, random);
            // life_time = rekey_time + 10 %, rand_time = life_time − rekey_time (swanctl.conf defaults).
            Assert.Equal(TimeSpan.FromMinutes(66), s.ExpireIn);
            Assert.InRange(s.RekeyIn, TimeSpan.FromMinutes(54), TimeSpan.FromMinutes(60));
            seen.Add(s.RekeyIn);
        }
        // Uniform over 6 minutes: both halves are hit, and values are not all the same.
        Assert.Contains(seen, t => t < TimeSpan.FromMinutes(57));
        Assert.Contains(seen, t => t > TimeSpan.FromMinutes(57));
        Assert.True(seen.Distinct().Count() > 400);

        var explicitRand = new ChildConfig { Name = "c", LocalTs = ["dynamic"], RemoteTs = ["dynamic"], RekeyTime = TimeSpan.FromSeconds(20), LifeTime = TimeSpan.FromSeconds(30), RandTime = TimeSpan.FromSeconds(2) };
        for (int i = 0; i < 100; i++)
            Assert.InRange(LifetimeSchedule.ForChild(explicitRand, random).RekeyIn, TimeSpan.FromSeconds(18), TimeSpan.FromSeconds(20));
        var noRekey = new ChildConfig { Name = "c", LocalTs = ["dynamic"], RemoteTs = ["dynamic"], RekeyTime = TimeSpan.Zero, LifeTime = TimeSpan.FromMinutes(5) };
        Assert.Equal(LifetimeSchedule.Never, LifetimeSchedule.ForChild(noRekey, random).RekeyIn);
        Assert.Equal(TimeSpan.FromMinutes(5), LifetimeSchedule.ForChild(noRekey, random).ExpireIn);
    }

    [Fact]
    public void Ike_jitter_uses_over_time_and_hard_expiry_follows_the_jittered_rekey()
    {
        var random = new DeterministicRandom(8);
        var c = new ConnectionConfig { Name = "x", Proposals = [], Local = new AuthConfig(), Remote = new AuthConfig(), RekeyTime = TimeSpan.FromHours(3) };
        for (int i = 0; i < 300; i++)
        {
            var s = LifetimeSchedule.ForIke(c, random);
            // over_time = 10 % of rekey_time, rand_time = over_time.
            Assert.InRange(s.RekeyIn, TimeSpan.FromMinutes(162), TimeSpan.FromMinutes(180));
            Assert.Equal(s.RekeyIn + TimeSpan.FromMinutes(18), s.ExpireIn);
            Assert.Equal(LifetimeSchedule.Never, s.ReauthIn);
        }
        var reauth = new ConnectionConfig { Name = "x", Proposals = [], Local = new AuthConfig(), Remote = new AuthConfig(), RekeyTime = TimeSpan.Zero, ReauthTime = TimeSpan.FromHours(1), OverTime = TimeSpan.FromMinutes(5), RandTime = TimeSpan.FromMinutes(1) };
        var r = LifetimeSchedule.ForIke(reauth, random);
        Assert.Equal(LifetimeSchedule.Never, r.RekeyIn);
        Assert.InRange(r.ReauthIn, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(60));
        Assert.Equal(r.ReauthIn + TimeSpan.FromMinutes(5), r.ExpireIn);
    }

    [Fact]
    public void Child_sa_rekeys_inside_the_jitter_window_and_the_pair_is_replaced()
    {
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero });
        RekeyFixture.Up(f);
        var first = RekeyFixture.ChildId(f.Left);

        f.Advance(TimeSpan.FromMinutes(54) - Step, Step);
        Assert.Equal(first, RekeyFixture.ChildId(f.Left));
        Assert.Equal(0, f.Left.Engine.ChildRekeysInitiated + f.Right.Engine.ChildRekeysInitiated);

        f.Advance(TimeSpan.FromMinutes(6) + Step, Step);
        Assert.NotEqual(first, RekeyFixture.ChildId(f.Left));
        // The side whose jittered timer fired first rekeyed; the other side's timer restarted with the new SA.
        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated + f.Right.Engine.ChildRekeysInitiated);
        RekeyFixture.AssertOnePair(f);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    /// <summary>
    /// RFC 4303 §3.3.3, without ESN: the data plane reports the outbound SA near the end of its 32-bit counter, and the
    /// CHILD_SA is rekeyed at once, long before its lifetime (here 1 h away) would have done it; a second report for the
    /// SA being replaced starts nothing more.
    /// </summary>
    [Fact]
    public void Sequence_exhaustion_without_esn_rekeys_the_child_sa_now()
    {
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero });
        RekeyFixture.Up(f);
        var first = RekeyFixture.ChildId(f.Left);
        var outbound = f.Left.Kernel.Outbound;

        f.Left.Engine.HandleSequenceExhaustion(new SequenceExhaustionEvent(outbound.Spi, outbound.ReqId, (1UL << 32) - (1UL << 28)));
        f.Left.Engine.HandleSequenceExhaustion(new SequenceExhaustionEvent(outbound.Spi, outbound.ReqId, (1UL << 32) - (1UL << 28) + 5));
        f.Advance(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));

        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated);
        Assert.Equal(0, f.Right.Engine.ChildRekeysInitiated);
        Assert.NotEqual(first, RekeyFixture.ChildId(f.Left));
        RekeyFixture.AssertOnePair(f);
        Assert.NotEqual(outbound.Spi, f.Left.Kernel.Outbound.Spi);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
    }

    [Fact]
    public void Ten_hours_with_default_lifetimes_rekey_children_hourly_and_the_ike_sa_every_three_hours()
    {
        var f = RekeyFixture.Create();
        RekeyFixture.Up(f);
        // list-sas shows the time left until each timer fires.
        var listed = f.LeftSa;
        Assert.InRange(listed.RekeySeconds!.Value, 162 * 60, 180 * 60);
        Assert.Equal(listed.RekeySeconds + 18 * 60, listed.ExpireSeconds);
        Assert.Null(listed.ReauthSeconds);
        Assert.InRange(listed.Children[0].RekeySeconds!.Value, 54 * 60, 60 * 60);
        Assert.Equal(66 * 60, listed.Children[0].ExpireSeconds);
        var ikeSpis = new HashSet<string>();
        var childSpis = new HashSet<string>();
        for (int i = 0; i < 60; i++)
        {
            f.Advance(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));
            var sa = Assert.Single(f.Left.Engine.ListSas());
            ikeSpis.Add(sa.InitiatorSpi);
            childSpis.Add(Assert.Single(sa.Children).SpiIn);
            RekeyFixture.AssertOnePair(f);
        }
        long child = f.Left.Engine.ChildRekeysInitiated + f.Right.Engine.ChildRekeysInitiated;
        long ike = f.Left.Engine.IkeRekeysInitiated + f.Right.Engine.IkeRekeysInitiated;
        // 10 h / (54..60 min) ≈ 10–11 CHILD rekeys; 10 h / (2 h 42 .. 3 h) = 3 IKE rekeys.
        Assert.InRange(child, 10, 12);
        Assert.InRange(ike, 3, 4);
        Assert.Equal(ike + 1, ikeSpis.Count);
        Assert.True(childSpis.Count >= 10);
        Assert.True(RekeyFixture.NeverEmpty(f.Left.Kernel));
        Assert.True(RekeyFixture.NeverEmpty(f.Right.Kernel));
    }

    [Fact]
    public void Hard_expiry_without_rekey_deletes_the_child_sa_on_both_sides_and_creates_it_again()
    {
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero, ChildLife = TimeSpan.FromMinutes(10) },
            new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero, ChildLife = TimeSpan.FromMinutes(20) });
        RekeyFixture.Up(f);
        var first = RekeyFixture.ChildId(f.Left);
        var inbound = f.Left.Kernel.Inbound.Spi;
        var outbound = f.Left.Kernel.Outbound.Spi;
        f.Advance(TimeSpan.FromMinutes(10) - Step, Step);
        Assert.Equal(2, f.Left.Kernel.Sas.Count);

        f.Advance(TimeSpan.FromSeconds(20), Step);

        // Both sides removed the expired pair (the peer on our DELETE) and hold the new one (charon re-creates it too).
        foreach (var k in new[] { f.Left.Kernel, f.Right.Kernel })
        {
            Assert.DoesNotContain((inbound, SaDirection.Inbound), k.Sas.Keys);
            Assert.DoesNotContain((outbound, SaDirection.Outbound), k.Sas.Keys);
            Assert.DoesNotContain((outbound, SaDirection.Inbound), k.Sas.Keys);
            Assert.DoesNotContain((inbound, SaDirection.Outbound), k.Sas.Keys);
        }
        Assert.NotEqual(first, RekeyFixture.ChildId(f.Left));
        RekeyFixture.AssertOnePair(f);
        Assert.Contains("reached its hard lifetime", f.Left.Log.All);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Byte_and_packet_limits_trigger_a_rekey(bool bytes)
    {
        var l = new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, RekeyBytes = bytes ? 1_000_000UL : 0UL, RekeyPackets = bytes ? 0UL : 5000UL };
        var f = RekeyFixture.Create(l, new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero });
        RekeyFixture.Up(f);
        var first = RekeyFixture.ChildId(f.Left);
        var outSpi = f.Left.Kernel.Outbound.Spi;
        f.Left.Kernel.Counters[(outSpi, SaDirection.Outbound)] = new SaCounters(999_999, 4999, 0, 0, 0);
        f.Advance(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
        Assert.Equal(first, RekeyFixture.ChildId(f.Left));

        f.Left.Kernel.Counters[(outSpi, SaDirection.Outbound)] = new SaCounters(1_000_000, 5000, 0, 0, 0);
        f.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.NotEqual(first, RekeyFixture.ChildId(f.Left));
        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated);
        RekeyFixture.AssertOnePair(f);
        // The new SA starts from zero, so nothing rekeys again.
        f.Advance(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated);
    }

    [Fact]
    public void Life_bytes_delete_the_child_sa_and_a_new_one_replaces_it()
    {
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, LifeBytes = 2_000_000 });
        RekeyFixture.Up(f);
        var first = RekeyFixture.ChildId(f.Left);
        var spi = f.Right.Kernel.Inbound.Spi;
        f.Right.Kernel.Counters[(spi, SaDirection.Inbound)] = new SaCounters(2_000_000, 1, 0, 0, 0);
        f.Advance(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        Assert.DoesNotContain((spi, SaDirection.Inbound), f.Right.Kernel.Sas.Keys);
        Assert.DoesNotContain((spi, SaDirection.Outbound), f.Left.Kernel.Sas.Keys);
        Assert.Contains("reached its hard lifetime, deleting it and creating it again", f.Right.Log.All);
        Assert.NotEqual(first, RekeyFixture.ChildId(f.Left));
        RekeyFixture.AssertOnePair(f);
    }
}
