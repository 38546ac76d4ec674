using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// IKEv1 against strongSwan 5.9.8 in network namespaces, Petrel in both roles: Main Mode with PSK, NAT-T (strongSwan's
/// kernel-libipsec fakes NAT-D, so IKE floats to 4500 and ESP is UDP-encapsulated), Quick Mode with and without PFS,
/// then IPv4 pings both ways and 10 MB of TCP (SHA-256 checked) through the tunnel, with only ESP-in-UDP on the wire.
/// </summary>
[Trait("Category", "Interop")]
public sealed class IkeV1InteropTests(IkeV1InteropLab fixture, ITestOutputHelper output) : IClassFixture<IkeV1InteropLab>
{
    private const long Bulk = 10 * 1024 * 1024;

    internal static void AssertStrongSwanV1Up(StrongSwanPeer peer, string espName)
    {
        var sas = peer.ListSas();
        Assert.True(sas.Contains("ESTABLISHED, IKEv1", StringComparison.Ordinal), "strongSwan IKE SA not ESTABLISHED IKEv1:\n" + sas);
        Assert.True(sas.Contains("INSTALLED, TUNNEL-in-UDP", StringComparison.Ordinal) || sas.Contains("INSTALLED, TUNNEL", StringComparison.Ordinal), "strongSwan CHILD_SA not INSTALLED:\n" + sas);
        Assert.True(sas.Contains(espName, StringComparison.Ordinal), $"strongSwan did not negotiate {espName}:\n" + sas);
    }

    internal static PetrelSaListing.Child AssertPetrelV1Up(PetrelPeer peer)
    {
        var listing = peer.ListSas();
        var ike = listing.Find(LabConfig.Connection);
        Assert.True(ike is not null, "Petrel lists no IKE SA 'lab':\n" + listing.Json);
        Assert.Equal("ESTABLISHED", ike!.State);
        Assert.Equal(1, (int)ike.Raw["version"]!);
        var child = ike.Children.FirstOrDefault(c => c.Name == LabConfig.Child && c.State == "INSTALLED");
        Assert.True(child is not null, "Petrel lists no INSTALLED CHILD_SA 'net':\n" + listing.Json);
        return child!;
    }

    private void Traffic(NamespacePair lab, string name, PetrelPeer petrel) => Traffic(lab, name, petrel, output);

    /// <summary>Pings both ways and 10 MB of TCP (SHA-256 checked) through the tunnel, seen on the wire only as ESP-in-UDP.</summary>
    internal static void Traffic(NamespacePair lab, string name, PetrelPeer petrel, ITestOutputHelper output)
    {
        using var capture = PacketCapture.Start(lab, lab.Right, name, snapLength: 128);
        foreach (var p in new[] { lab.Ping(lab.Left, lab.Right), lab.Ping(lab.Right, lab.Left) })
            Assert.True(p.Succeeded, "ping through the IKEv1 tunnel failed: " + p.Describe());
        var bulk = TcpTransfer.Run(lab.Left, lab.Right, Bulk);
        var wire = WireSummary.Read(capture.Stop(), lab.Left, lab.Right);
        output.WriteLine($"{name}: {bulk}; wire {wire}");
        Assert.True(bulk.ChecksumsMatch, bulk.ToString());
        Assert.Equal(Bulk, bulk.BytesReceived);
        Assert.Equal(0, wire.Cleartext);
        Assert.Equal(0, wire.RawEsp);
        Assert.True(wire.EspInUdpBytes >= Bulk, $"too few ESP-in-UDP bytes: {wire}");
        var child = AssertPetrelV1Up(petrel);
        Assert.True(child.PacketsIn > 0 && child.PacketsOut > 0, $"Petrel counted {child.PacketsIn} in / {child.PacketsOut} out");
    }

    [RootTheory]
    [InlineData("aes128-sha256-modp2048", "aes128-sha256", "ESP:AES_CBC-128/HMAC_SHA2_256_128")]
    [InlineData("aes256-sha1-modp1024", "aes256gcm16-modp2048", "ESP:AES_GCM_16-256/MODP_2048")]
    public void Petrel_initiates_main_mode_and_quick_mode_to_strongswan(string ike, string esp, string espName)
    {
        var lab = fixture.Lab;
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, IkeV1InteropLab.Config(lab.Right, lab.Left, ike, esp, strongSwan: true));
        using var petrel = PetrelPeer.Start(lab, lab.Left, IkeV1InteropLab.Config(lab.Left, lab.Right, ike, esp, strongSwan: false));
        try
        {
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            AssertStrongSwanV1Up(strongswan, espName);
            Traffic(lab, "v1-pi-" + esp, petrel);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootTheory]
    [InlineData("aes128-sha256-modp2048", "aes128-sha256", "ESP:AES_CBC-128/HMAC_SHA2_256_128")]
    [InlineData("3des-sha1-modp2048", "aes128-sha1-modp2048", "ESP:AES_CBC-128/HMAC_SHA1_96/MODP_2048")]
    public void StrongSwan_initiates_main_mode_and_quick_mode_to_petrel(string ike, string esp, string espName)
    {
        var lab = fixture.Lab;
        using var petrel = PetrelPeer.Start(lab, lab.Right, IkeV1InteropLab.Config(lab.Right, lab.Left, ike, esp, strongSwan: false));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, IkeV1InteropLab.Config(lab.Left, lab.Right, ike, esp, strongSwan: true));
        try
        {
            strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            AssertStrongSwanV1Up(strongswan, espName);
            Traffic(lab, "v1-si-" + esp, petrel);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
