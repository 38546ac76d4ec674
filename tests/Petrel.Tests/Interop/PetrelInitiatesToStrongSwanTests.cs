using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel (left, initiator, `petrel up`) ⇄ strongSwan (right, responder), one test per proposal
/// pair: both sides list the SAs up, IPv4 and IPv6 traffic passes, the wire shows only ESP-in-UDP.
/// </summary>
[Trait("Category", "Interop")]
public sealed class PetrelInitiatesToStrongSwanTests(PetrelInitiatesLab fixture, ITestOutputHelper output) : IClassFixture<PetrelInitiatesLab>
{
    [RootTheory]
    [InlineData("cbc-hmac")]
    [InlineData("gcm128")]
    [InlineData("gcm256")]
    [InlineData("chacha")]
    public void Petrel_initiates_and_traffic_flows_through_strongswan(string proposalName)
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.ByName(proposalName);
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        using var petrel = PetrelPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, proposals));
        try
        {
            var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            TunnelTraffic.AssertStrongSwanUp(strongswan, proposals);
            var (ike, _) = TunnelTraffic.AssertPetrelUp(petrel, proposals);
            Assert.True(ike.Initiator);

            var report = TunnelTraffic.Run(lab, "pi-" + proposalName);
            output.WriteLine(report.ToString());
            TunnelTraffic.AssertPassed(report);

            var (_, after) = TunnelTraffic.AssertPetrelUp(petrel);
            Assert.True(after.BytesOut >= (ulong)TunnelTraffic.BulkBytes, $"Petrel counted {after.BytesOut} bytes out");
            Assert.True(after.PacketsIn > 0 && after.BytesIn > (ulong)TunnelTraffic.Ipv6Bytes, $"Petrel counted {after.PacketsIn} packets / {after.BytesIn} bytes in");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
