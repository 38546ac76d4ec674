using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Sad;

namespace Petrel.DataPlane.Tests.Sad;

/// <summary>The SAD's lookups through installs, rekeys (two outbound SAs of one policy) and removals.</summary>
public class SecurityAssociationDatabaseTests
{
    private static EspSa Sa(uint spi, SaDirection direction, uint reqId)
    {
        var spec = new SaSpec
        {
            Spi = spi, Direction = direction, ReqId = reqId,
            Source = new(System.Net.IPAddress.Loopback, 4500), Destination = new(System.Net.IPAddress.Loopback, 4500),
            Encryption = TestCrypto.TestTransforms.AesGcm16(128), EncryptionKey = new byte[20],
        };
        Assert.True(TestCrypto.TestAlgorithmProvider.Instance.TryResolve(spec, out var algs, out _));
        return new EspSa(spec, algs);
    }

    [Fact]
    public void A_policy_sends_on_its_newest_outbound_sa_and_falls_back_to_the_older_one_when_the_newest_goes()
    {
        var sad = new SecurityAssociationDatabase();
        var old = Sa(0x100, SaDirection.Outbound, 7);
        var rekeyed = Sa(0x200, SaDirection.Outbound, 7);
        var other = Sa(0x300, SaDirection.Outbound, 8);
        Assert.Null(sad.Add(old));
        Assert.Null(sad.Add(other));
        Assert.Same(old, sad.FindOutbound(7));
        Assert.Null(sad.Add(rekeyed));
        Assert.Same(rekeyed, sad.FindOutbound(7)); // make before break: the new SA carries the traffic at once

        Assert.Same(rekeyed, sad.Remove(0x200, SaDirection.Outbound));
        Assert.Same(old, sad.FindOutbound(7));     // the newest went first: back to the old one
        Assert.Null(sad.Find(0x200, SaDirection.Outbound));

        Assert.Null(sad.Add(rekeyed));
        Assert.Same(old, sad.Remove(0x100, SaDirection.Outbound)); // the usual order: the old one goes
        Assert.Same(rekeyed, sad.FindOutbound(7));
        Assert.Same(rekeyed, sad.Remove(0x200, SaDirection.Outbound));
        Assert.Null(sad.FindOutbound(7));
        Assert.Same(other, sad.FindOutbound(8));
        Assert.Null(sad.Remove(0x200, SaDirection.Outbound));
    }

    [Fact]
    public void Inbound_sas_are_found_by_spi_and_a_second_install_of_a_spi_replaces_the_first()
    {
        var sad = new SecurityAssociationDatabase();
        var first = Sa(0xc0000001, SaDirection.Inbound, 1);
        var again = Sa(0xc0000001, SaDirection.Inbound, 1);
        Assert.Null(sad.Add(first));
        Assert.True(sad.ContainsInbound(0xc0000001));
        Assert.Same(first, sad.Add(again));
        Assert.Same(again, sad.FindInbound(0xc0000001));
        Assert.Null(sad.Find(0xc0000001, SaDirection.Outbound));
        Assert.Equal(1, sad.Clear().Count);
        Assert.Null(sad.FindInbound(0xc0000001));
    }

    [Fact]
    public void An_outbound_sa_installed_again_under_its_spi_replaces_the_old_object_for_its_policy()
    {
        var sad = new SecurityAssociationDatabase();
        var first = Sa(0x500, SaDirection.Outbound, 3);
        var again = Sa(0x500, SaDirection.Outbound, 3);
        sad.Add(first);
        Assert.Same(first, sad.Add(again));
        Assert.Same(again, sad.FindOutbound(3));
        sad.Remove(0x500, SaDirection.Outbound);
        Assert.Null(sad.FindOutbound(3));
    }
}
