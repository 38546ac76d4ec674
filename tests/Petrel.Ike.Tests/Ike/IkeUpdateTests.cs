using System.Net;
using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// RFC 7296 §2.23: a protected request from a new address or port (a NAT that rebound) moves the IKE SA there;
/// the engine announces the move first (SaEventKind.IkeUpdate, vici's ike-update) with the old and the new endpoints.
/// The same exchange shows the per-connection counters: requests received and responses sent, by exchange.
/// </summary>
public class IkeUpdateTests
{
    [Fact]
    public void A_request_from_a_new_port_moves_the_sa_and_raises_ike_update()
    {
        var f = ExchangeFixture.Create();
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message);
        var events = new List<SaEvent>();
        f.Right.Engine.Events = events.Add;
        var before = f.RightSa;
        int oldPort = before.RemotePort;
        var activityBefore = f.Right.Engine.Activity().Connections["site"];

        // The left side's NAT rebinds: its datagrams now come from port 4611.
        f.Network.Intercept(d => d.Source.Address.Equals(ExchangeFixture.LeftAddress), d => { d.Source = new IPEndPoint(d.Source.Address, 4611); return true; });
        uint child = Assert.Single(f.LeftSa.Children).UniqueId;
        Assert.True(f.Left.Engine.RekeyChild(child));
        f.Network.Run();

        var update = Assert.Single(events, e => e.Kind == SaEventKind.IkeUpdate);
        Assert.Equal("site", update.Connection);
        Assert.Equal(before.UniqueId, update.IkeSaId);
        Assert.Equal(oldPort, update.RemotePort);
        Assert.Equal(4611, update.NewRemotePort);
        Assert.Equal(ExchangeFixture.LeftAddress.ToString(), update.NewRemoteHost);
        Assert.Equal(ExchangeFixture.RightAddress.ToString(), update.NewLocalHost);
        Assert.Equal(4611, f.RightSa.RemotePort);

        // Nothing moves again while the peer stays where it is now.
        f.Left.Engine.RekeyChild(Assert.Single(f.LeftSa.Children, c => c.State == "INSTALLED").UniqueId);
        f.Network.Run();
        Assert.Single(events, e => e.Kind == SaEventKind.IkeUpdate);

        var counters = f.Right.Engine.Activity().Connections["site"];
        Assert.Equal(activityBefore.RequestsReceived.GetValueOrDefault("CREATE_CHILD_SA") + 2, counters.RequestsReceived["CREATE_CHILD_SA"]);
        Assert.Equal(activityBefore.ResponsesSent.GetValueOrDefault("CREATE_CHILD_SA") + 2, counters.ResponsesSent["CREATE_CHILD_SA"]);
        Assert.True(counters.RequestsReceived["IKE_AUTH"] == 1 && counters.ResponsesSent["IKE_AUTH"] == 1, "the responder's IKE_AUTH counted for its connection");
        var left = f.Left.Engine.Activity().Connections["site"];
        Assert.Equal(1, left.RequestsSent["IKE_SA_INIT"]);
        Assert.Equal(1, left.ResponsesReceived["IKE_SA_INIT"]);
    }
}
