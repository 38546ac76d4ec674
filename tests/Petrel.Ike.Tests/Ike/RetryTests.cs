using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

public class RetryTests
{
    private const byte IkeSaInit = 34, IkeAuth = 35;

    [Fact]
    public void Invalid_ke_payload_makes_the_initiator_retry_with_the_requested_group()
    {
        // Left prefers MODP_2048 but also offers ECP_256; right only accepts ECP_256.
        var f = ExchangeFixture.Create(ike: "aes128-sha256-modp2048-ecp256", rightIke: "aes128-sha256-ecp256");

        var result = f.Initiate();

        Assert.True(result!.Success, result.Message);
        Assert.Equal("ECP_256", f.LeftSa.Dh);
        Assert.Equal(4, f.Network.Delivered.Count(d => d.ExchangeType == IkeSaInit));
        Assert.Contains("requested ECP_256", f.Left.Log.All);
        Assert.Contains("sending INVALID_KE_PAYLOAD", f.Right.Log.All);
        Assert.Single(f.Left.Engine.ListSas());
    }

    [Fact]
    public void Responder_demands_a_cookie_under_half_open_load_and_the_initiator_replays_it()
    {
        var f = ExchangeFixture.Create(rightOptions: new IkeEngineOptions { CookieThreshold = 0 });

        var result = f.Initiate();

        Assert.True(result!.Success, result.Message);
        var inits = f.Network.Delivered.Where(d => d.ExchangeType == IkeSaInit).ToList();
        Assert.Equal(4, inits.Count);
        // The retried request starts with N(COOKIE): first payload type 41 in the header.
        Assert.Equal(41, inits[2].Data[16]);
        Assert.Contains("received COOKIE", f.Left.Log.All);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
    }

    [Fact]
    public void Lost_ike_sa_init_request_is_retransmitted()
    {
        var f = ExchangeFixture.Create();
        f.Network.Lose(d => d.ExchangeType == IkeSaInit && !d.IsResponse);

        Assert.Null(f.Initiate());
        f.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Contains("retransmit 1 of IkeSaInit", f.Left.Log.All);
    }

    [Fact]
    public void Lost_ike_auth_response_is_answered_from_the_cache_without_a_second_child_sa()
    {
        var f = ExchangeFixture.Create();
        f.Network.Lose(d => d.ExchangeType == IkeAuth && d.IsResponse);

        Assert.Null(f.Initiate());
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        f.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Contains("sending the cached response", f.Right.Log.All);
        Assert.Equal(2, f.Right.Kernel.Sas.Count);
        Assert.Single(f.RightSa.Children);
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
    }

    [Fact]
    public void Duplicated_messages_change_nothing()
    {
        var f = ExchangeFixture.Create();
        f.Network.Duplicate(d => d.ExchangeType == IkeSaInit && !d.IsResponse);
        f.Network.Duplicate(d => d.ExchangeType == IkeSaInit && d.IsResponse);
        f.Network.Duplicate(d => d.ExchangeType == IkeAuth && !d.IsResponse);
        f.Network.Duplicate(d => d.ExchangeType == IkeAuth && d.IsResponse);

        var result = f.Initiate();

        Assert.True(result!.Success, result.Message);
        Assert.Single(f.Left.Engine.ListSas());
        Assert.Single(f.Right.Engine.ListSas());
        Assert.Equal(2, f.Right.Kernel.Sas.Count);
        Assert.Equal(2, f.Left.Kernel.Sas.Count);
        Assert.True(f.Left.Engine.DroppedDatagrams >= 2);
    }

    [Fact]
    public void Initiator_gives_up_after_the_configured_retransmits()
    {
        var f = ExchangeFixture.Create(leftOptions: new IkeEngineOptions { RetransmitTries = 2, RetransmitTimeout = TimeSpan.FromSeconds(1), RetransmitBase = 2 });
        f.Network.Lose(d => d.Destination.Address.Equals(ExchangeFixture.RightAddress), 100);
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();

        f.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(result);
        f.Advance(TimeSpan.FromSeconds(6));

        Assert.NotNull(result);
        Assert.False(result!.Success);
        Assert.Contains("giving up after 2 retransmits", f.Left.Log.All);
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Null(f.Left.Engine.NextDeadline);
    }

    [Fact]
    public void Next_deadline_reports_the_retransmit_timer()
    {
        var f = ExchangeFixture.Create();
        f.Network.Lose(d => true, 1);
        f.Left.Engine.Initiate("site", null, _ => { });
        f.Network.Run();
        Assert.Equal(f.Clock.Now + TimeSpan.FromSeconds(4), f.Left.Engine.NextDeadline);
    }
}
