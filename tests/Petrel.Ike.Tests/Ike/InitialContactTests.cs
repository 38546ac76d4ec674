namespace Petrel.Ike.Tests.Ike;

public class InitialContactTests
{
    [Fact]
    public void A_restarted_initiator_replaces_its_stale_sas_on_the_responder()
    {
        var f = ExchangeFixture.Create(leftTs: ["10.1.0.0/24"], rightTs: ["10.2.0.0/24"]);
        Assert.True(f.Initiate()!.Success);
        var oldSpi = f.RightSa.InitiatorSpi;

        // The initiator "restarts": a new engine with fresh state at the same address.
        var restarted = new EnginePeer("left2", ExchangeFixture.LeftAddress, f.Network, f.Clock, 9);
        var cfg = EnginePeer.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right",
            "aes128-sha256-modp2048", "aes128gcm16", ["10.1.0.0/24"], ["10.2.0.0/24"]);
        restarted.Engine.Load([cfg], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        InitiateResult? result = null;
        restarted.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();

        Assert.True(result!.Success, result.Message);
        var sa = f.RightSa;
        Assert.NotEqual(oldSpi, sa.InitiatorSpi);
        Assert.Equal(2, f.Right.Kernel.Sas.Count);
        Assert.Single(f.Right.Kernel.Policies);
        Assert.Contains("started over", f.Right.Log.All);
    }
}
