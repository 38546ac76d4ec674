namespace Petrel.Ike.Tests.Ike;

public class InitiateTests
{
    [Fact]
    public void Initiating_an_established_connection_again_changes_nothing()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        int sent = f.Network.Delivered.Count;

        var again = f.Initiate();

        Assert.True(again!.Success, again.Message);
        Assert.Contains("already exists", again.Message);
        Assert.Equal(sent, f.Network.Delivered.Count);
        Assert.Single(f.LeftSa.Children);
    }

    [Fact]
    public void Unknown_connection_or_child_fails_with_a_clear_message()
    {
        var f = ExchangeFixture.Create();
        Assert.Contains("no connection named 'nope'", f.Initiate("nope")!.Message);
        Assert.Contains("has no child 'nope'", f.Initiate("site", "nope")!.Message);
        InitiateResult? r = null;
        f.Left.Engine.Terminate("site", null, x => r = x);
        Assert.False(r!.Success);
        Assert.Contains("no IKE_SA of connection 'site'", r.Message);
    }

    [Fact]
    public void Done_is_called_once_when_the_responder_is_unreachable_and_state_goes_away()
    {
        var f = ExchangeFixture.Create(leftOptions: new IkeEngineOptions { RetransmitTries = 1, RetransmitTimeout = TimeSpan.FromSeconds(1) });
        f.Network.Lose(_ => true, 100);
        int calls = 0;
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => { calls++; result = r; });
        f.Network.Run();
        Assert.Equal("CONNECTING", f.LeftSa.State);

        f.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, calls);
        Assert.False(result!.Success);
        Assert.Empty(f.Left.Engine.ListSas());
    }
}
