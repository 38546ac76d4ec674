using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// strongSwan (left, initiator) ⇄ Petrel (right, responder), one test per proposal pair:
/// both sides list the SAs up, IPv4 and IPv6 traffic passes, the wire shows only ESP-in-UDP.
/// </summary>
[Trait("Category", "Interop")]
public sealed class StrongSwanInitiatesToPetrelTests(StrongSwanInitiatesLab fixture, ITestOutputHelper output) : IClassFixture<StrongSwanInitiatesLab>
{
    [RootTheory]
    [InlineData("cbc-hmac")]
    [InlineData("gcm128")]
    [InlineData("gcm256")]
    [InlineData("chacha")]
    public void StrongSwan_initiates_and_traffic_flows_through_petrel(string proposalName)
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.ByName(proposalName);
        using var petrel = PetrelPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, proposals));
        try
        {
            strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            TunnelTraffic.AssertStrongSwanUp(strongswan, proposals);
            var (ike, child) = TunnelTraffic.AssertPetrelUp(petrel, proposals);
            Assert.False(ike.Initiator);

            var report = TunnelTraffic.Run(lab, "si-" + proposalName);
            output.WriteLine(report.ToString());
            TunnelTraffic.AssertPassed(report);

            var (_, after) = TunnelTraffic.AssertPetrelUp(petrel);
            Assert.True(after.BytesIn >= (ulong)TunnelTraffic.BulkBytes, $"Petrel counted {after.BytesIn} bytes in");
            Assert.True(after.PacketsOut > 0 && after.BytesOut > (ulong)TunnelTraffic.Ipv6Bytes, $"Petrel counted {after.PacketsOut} packets / {after.BytesOut} bytes out");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}
