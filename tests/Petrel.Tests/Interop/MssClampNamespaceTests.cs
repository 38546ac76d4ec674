using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// MSS clamping seen in captures of both TUN devices: the left host's SYN leaves with MSS 1460
/// (its TUN MTU is 1500) and reaches the right host with the SA's 1398; the right host's SYN-ACK
/// (1460 too) reaches the left host with 1398. TCP then never needs PMTUD.
/// </summary>
[Trait("Category", "Interop")]
public sealed class MssClampNamespaceTests(MssClampLab fixture, ITestOutputHelper output) : IClassFixture<MssClampLab>
{
    // AES-GCM-16 ESP-in-UDP over IPv4 carries 1438-byte inner packets: 1438 - 20 (IPv4) - 20 (TCP).
    private const int ClampedMss = 1398;

    [RootFact]
    public void Syn_and_syn_ack_mss_are_clamped_to_the_sa_by_the_clamping_side()
    {
        var lab = fixture.Lab;
        var right = fixture.Right;
        _ = fixture.Left;
        try
        {
            using var leftTun = PacketCapture.Start(lab, lab.Left, "mss-left-tun", device: "petrel0");
            using var rightTun = PacketCapture.Start(lab, lab.Right, "mss-right-tun", device: "petrel0");
            var tcp = TcpTransfer.Run(lab.Left, lab.Right, 2 << 20, port: 45011, timeout: TimeSpan.FromSeconds(60));
            var leftPcap = leftTun.Stop();
            var rightPcap = rightTun.Stop();
            output.WriteLine(tcp.ToString());
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());

            string[] fields = ["tcp.flags.ack", "tcp.options.mss_val", "tcp.checksum.status"];
            var leftSyns = Tshark.Fields(leftPcap, "tcp.flags.syn == 1 && tcp.port == 45011", fields, "tcp.check_checksum:TRUE");
            var rightSyns = Tshark.Fields(rightPcap, "tcp.flags.syn == 1 && tcp.port == 45011", fields, "tcp.check_checksum:TRUE");
            foreach (var r in leftSyns) output.WriteLine("left petrel0:  ack " + string.Join(" ", r));
            foreach (var r in rightSyns) output.WriteLine("right petrel0: ack " + string.Join(" ", r));

            // Left TUN: SYN out unclamped (the left does not clamp), SYN-ACK in clamped by the right.
            Assert.Equal("1460", Assert.Single(leftSyns, r => r[0] == "0")[1]);
            Assert.Equal(ClampedMss.ToString(), Assert.Single(leftSyns, r => r[0] == "1")[1]);
            // Right TUN: SYN in clamped, SYN-ACK out as the right host sent it.
            Assert.Equal(ClampedMss.ToString(), Assert.Single(rightSyns, r => r[0] == "0")[1]);
            Assert.Equal("1460", Assert.Single(rightSyns, r => r[0] == "1")[1]);
            // The rewritten segments carry a correct checksum (tshark's checksum status: 1 = good, 0 = bad).
            Assert.All(leftSyns.Concat(rightSyns), r => Assert.Equal("1", r[2]));
        }
        catch
        {
            output.WriteLine(fixture.Left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
    }
}
