using Petrel.DataPlane.Kernel;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// strongSwan's delete_rekeyed_delay: after a CHILD_SA rekey both sides keep the replaced CHILD_SA's inbound SA for
/// the delay (packets the peer sent before switching still decrypt), while its outbound SA goes with the delete.
/// </summary>
public class RekeyedInboundTests
{
    [Fact]
    public void The_replaced_inbound_sa_stays_for_the_delay_on_both_sides()
    {
        var options = new IkeEngineOptions { DeleteRekeyedDelay = TimeSpan.FromSeconds(5) };
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { IkeRekey = TimeSpan.Zero, ChildRekey = TimeSpan.Zero }, options: options);
        RekeyFixture.Up(f);
        uint leftOldIn = f.Left.Kernel.Inbound.Spi, rightOldIn = f.Right.Kernel.Inbound.Spi;
        uint leftOldOut = f.Left.Kernel.Outbound.Spi;

        Assert.True(f.Left.Engine.RekeyChild(RekeyFixture.ChildId(f.Left)));
        f.Network.Run();

        foreach (var (kernel, oldIn) in new[] { (f.Left.Kernel, leftOldIn), (f.Right.Kernel, rightOldIn) })
        {
            Assert.Equal(3, kernel.Sas.Count);
            Assert.True(kernel.Sas.ContainsKey((oldIn, SaDirection.Inbound)));
            Assert.Single(kernel.Sas.Keys, k => k.Dir == SaDirection.Outbound);
        }
        Assert.False(f.Left.Kernel.Sas.ContainsKey((leftOldOut, SaDirection.Outbound)));
        Assert.Contains($"keeping inbound SA {leftOldIn:x8} of rekeyed CHILD_SA", f.Left.Log.All);
        Assert.Single(f.LeftSa.Children);

        f.Advance(TimeSpan.FromSeconds(4));
        Assert.True(f.Left.Kernel.Sas.ContainsKey((leftOldIn, SaDirection.Inbound)));
        f.Advance(TimeSpan.FromSeconds(2));
        RekeyFixture.AssertOnePair(f);
        Assert.False(f.Left.Kernel.Sas.ContainsKey((leftOldIn, SaDirection.Inbound)));
        Assert.False(f.Right.Kernel.Sas.ContainsKey((rightOldIn, SaDirection.Inbound)));
    }
}
