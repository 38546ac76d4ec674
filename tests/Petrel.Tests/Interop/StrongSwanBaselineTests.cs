using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// strongSwan on both sides, through the harness: proves the namespaces, charon startup, traffic
/// tools and capture analysis work, independently of Petrel.
/// </summary>
[Trait("Category", "Interop")]
public sealed class StrongSwanBaselineTests(BaselineLab fixture, ITestOutputHelper output) : IClassFixture<BaselineLab>
{
    [RootFact]
    public void StrongSwan_to_strongSwan_tunnel_carries_ping_and_10MB_as_esp_in_udp_only()
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.Gcm128;
        using var left = StrongSwanPeer.Start(lab, lab.Left, SwanctlConfig.For(lab.Left, lab.Right, proposals));
        using var right = StrongSwanPeer.Start(lab, lab.Right, SwanctlConfig.For(lab.Right, lab.Left, proposals));
        try
        {
            left.Initiate(SwanctlConfig.Child).EnsureSuccess();
            foreach (var peer in new[] { left, right })
            {
                var sas = peer.ListSas();
                Assert.Contains("ESTABLISHED, IKEv2", sas);
                Assert.Contains("INSTALLED, TUNNEL", sas);
                Assert.Contains("AES_GCM_16-128", sas);
            }

            WireSummary wire;
            TcpTransfer.Result transfer;
            using (var capture = PacketCapture.Start(lab, lab.Right, "baseline", snapLength: 128))
            {
                var ping4 = lab.Ping(lab.Left, lab.Right);
                Assert.True(ping4.Succeeded, ping4.Describe());
                var ping6 = lab.Ping(lab.Left, lab.Right, ipv6: true);
                Assert.True(ping6.Succeeded, ping6.Describe());
                transfer = TcpTransfer.Run(lab.Left, lab.Right, 10 * 1024 * 1024);
                wire = WireSummary.Read(capture.Stop(), lab.Left, lab.Right);
            }
            output.WriteLine($"transfer: {transfer}");
            output.WriteLine($"wire: {wire}");
            Assert.True(transfer.ChecksumsMatch, transfer.ToString());
            Assert.Equal(10 * 1024 * 1024, transfer.BytesReceived);
            Assert.Equal(0, wire.Cleartext);
            Assert.Equal(0, wire.RawEsp);
            // 6 echo requests + 6 replies, plus well over 10 MB / 1400 B of TCP segments.
            Assert.True(wire.EspInUdp > 12 + 7000, wire.ToString());
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
    }
}
