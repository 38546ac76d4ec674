using System.Net;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>strongSwan's block_threshold (half-open SAs per peer address) and init_limit_half_open (in total).</summary>
public class DosLimitTests
{
    private const byte IkeAuth = 35;

    /// <summary>Left starts <paramref name="count"/> IKE SAs of its own to right, whose IKE_AUTH requests are all lost: they stay half-open there.</summary>
    private static ExchangeFixture HalfOpen(int count, IkeEngineOptions rightOptions)
    {
        var f = new ExchangeFixture(rightOptions: rightOptions);
        var left = new List<ConnectionConfig>();
        for (int i = 0; i < count; i++)
            left.Add(EnginePeer.Connection($"s{i}", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-ecp256", "aes128gcm16"));
        f.Left.Engine.Load(left, [EnginePeer.Secret("psk", "left", "right")]);
        f.Right.Engine.Load([EnginePeer.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", "aes128-sha256-ecp256", "aes128gcm16")],
            [EnginePeer.Secret("psk", "left", "right")]);
        f.Network.Intercept(d => d.ExchangeType == IkeAuth, _ => false);
        for (int i = 0; i < count; i++)
            f.Left.Engine.Initiate($"s{i}", null, _ => { });
        f.Network.Run();
        return f;
    }

    [Fact]
    public void Block_threshold_drops_ike_sa_init_from_an_address_with_that_many_half_open_sas()
    {
        var f = HalfOpen(4, new IkeEngineOptions { BlockThreshold = 2 });
        Assert.Equal(2, f.Right.Engine.ListSas().Count);
        Assert.All(f.Right.Engine.ListSas(), s => Assert.Equal("CONNECTING", s.State));
        Assert.Equal(2, f.Right.Engine.DroppedByLimits);
        // One line for the kind, not one per request (the second drop is counted, not logged).
        Assert.Single(f.Right.Log.Lines, l => l.Contains("(block_threshold), dropping its IKE_SA_INIT"));
    }

    [Fact]
    public void Without_block_threshold_every_request_gets_its_half_open_sa()
    {
        var f = HalfOpen(7, new IkeEngineOptions { BlockThreshold = 0 });
        Assert.Equal(7, f.Right.Engine.ListSas().Count);
        Assert.Equal(0, f.Right.Engine.DroppedByLimits);
    }

    [Fact]
    public void Init_limit_half_open_caps_half_open_sas_in_total()
    {
        var f = HalfOpen(3, new IkeEngineOptions { BlockThreshold = 0, InitLimitHalfOpen = 1 });
        Assert.Single(f.Right.Engine.ListSas());
        Assert.Equal(2, f.Right.Engine.DroppedByLimits);
        Assert.Contains("(init_limit_half_open), dropping IKE_SA_INIT", f.Right.Log.All);
    }

    [Fact]
    public void A_request_that_passed_the_cookie_check_is_still_limited_and_one_that_did_not_is_answered_with_a_cookie()
    {
        // COOKIE first (strongSwan's order): with the cookie threshold reached, requests without a COOKIE get one,
        // and only those returning it count against block_threshold.
        var f = HalfOpen(4, new IkeEngineOptions { BlockThreshold = 2, CookieThreshold = 1 });
        Assert.Contains("asking", f.Right.Log.All);
        Assert.Equal(2, f.Right.Engine.ListSas().Count);
        Assert.True(f.Right.Engine.DroppedByLimits >= 1);
    }
}
