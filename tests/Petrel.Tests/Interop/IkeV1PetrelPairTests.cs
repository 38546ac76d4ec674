using System.Text;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="IkeV1PetrelPairTests"/>.</summary>
public sealed class IkeV1PetrelPairLab : LabFixture
{
    protected override string Tag => "vp";
}

/// <summary>
/// IKEv1 AH and transport mode, Petrel ⇄ Petrel: strongSwan 5.9.8's kernel-libipsec installs neither (the lab README:
/// "IPsec SA: protocol not supported" / "unsupported mode"), so these are proven between two Petrel daemons. Per row
/// the left daemon brings the CHILD_SA up with Main Mode and Quick Mode, the right one lists it with the row's protocol
/// and mode, then pings and 1 MB of TCP (SHA-256 compared) pass and the capture shows the row's protocol as raw IP
/// (AH: protocol 51 with the TCP readable behind it; ESP: protocol 50) and nothing in UDP 4500.
/// </summary>
[Trait("Category", "Interop")]
public sealed class IkeV1PetrelPairTests(IkeV1PetrelPairLab fixture, ITestOutputHelper output) : IClassFixture<IkeV1PetrelPairLab>
{
    private static string Config(LabSite local, LabSite remote, bool ah, bool transport)
    {
        var sb = new StringBuilder();
        sb.AppendLine("connections {\n  lab {\n    version = 1");
        sb.AppendLine($"    local_addrs = {local.OuterV4}\n    remote_addrs = {remote.OuterV4}");
        sb.AppendLine("    proposals = aes128-sha256-modp2048\n    dpd_delay = 0");
        sb.AppendLine($"    local {{\n      auth = psk\n      id = {local.Id}\n    }}\n    remote {{\n      auth = psk\n      id = {remote.Id}\n    }}");
        sb.AppendLine($"    children {{\n      {LabConfig.Child} {{\n        mode = {(transport ? "transport" : "tunnel")}");
        sb.AppendLine(transport ? "        local_ts = dynamic\n        remote_ts = dynamic" : $"        local_ts = {local.SubnetV4}\n        remote_ts = {remote.SubnetV4}");
        sb.AppendLine(ah ? "        ah_proposals = sha256-modp2048" : "        esp_proposals = aes128-sha256");
        sb.AppendLine("        start_action = none\n      }\n    }\n  }\n}");
        sb.AppendLine($"secrets {{\n  ike-lab {{\n    id-1 = {local.Id}\n    id-2 = {remote.Id}\n    secret = \"{LabConfig.Psk}\"\n  }}\n}}");
        return sb.ToString();
    }

    [RootTheory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Ah_and_transport_mode_carry_ping_and_tcp(bool ah, bool transport)
    {
        var lab = fixture.Lab;
        using var right = PetrelPeer.Start(lab, lab.Right, Config(lab.Right, lab.Left, ah, transport));
        using var left = PetrelPeer.Start(lab, lab.Left, Config(lab.Left, lab.Right, ah, transport));
        try
        {
            var up = left.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            var ike = right.ListSas().Find(LabConfig.Connection);
            Assert.True(ike is not null, "right lists no IKE SA");
            Assert.Equal(1, (int)ike!.Raw["version"]!);
            var child = Assert.Single(ike.Children);
            Assert.Equal("INSTALLED", child.State);
            Assert.Equal(transport ? "TRANSPORT" : "TUNNEL", child.Raw["mode"]!.GetValue<string>().ToUpperInvariant());
            Assert.Equal(ah ? "AH" : "ESP", child.Raw["protocol"]!.GetValue<string>().ToUpperInvariant());

            var from = transport ? ModesLab.Host(lab.Left) : lab.Left;
            var to = transport ? ModesLab.Host(lab.Right) : lab.Right;
            string pcap;
            TcpTransfer.Result tcp;
            using (var capture = PacketCapture.Start(lab, lab.Left, $"v1-pair-{ah}-{transport}", snapLength: 128))
            {
                var ping = lab.Ping(from, to, count: 3);
                Assert.True(ping.Succeeded, ping.Describe());
                tcp = TcpTransfer.Run(from, to, 1 << 20, port: 45300, timeout: TimeSpan.FromSeconds(30));
                pcap = capture.Stop();
            }
            Assert.Equal(1L << 20, tcp.BytesReceived);
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());
            var stacks = Tshark.Fields(pcap, "ip", ["frame.protocols"]).Select(r => r[0]).ToList();
            int ahFrames = stacks.Count(s => s.Contains(":ah", StringComparison.Ordinal));
            int rawEsp = stacks.Count(s => s.Contains("ip:esp", StringComparison.Ordinal));
            int udpEsp = stacks.Count(s => s.Contains(":udp:", StringComparison.Ordinal) && s.Contains(":esp", StringComparison.Ordinal));
            int tcpBehindAh = stacks.Count(s => s.Contains(":ah:", StringComparison.Ordinal) && s.Contains(":tcp", StringComparison.Ordinal));
            int clearTcp = stacks.Count(s => s.Contains(":tcp", StringComparison.Ordinal) && !s.Contains(":ah:", StringComparison.Ordinal) && !s.Contains(":esp", StringComparison.Ordinal));
            output.WriteLine($"AH {ah}, transport {transport}: {tcp}; capture {stacks.Count} frames, AH {ahFrames} (TCP behind {tcpBehindAh}), raw ESP {rawEsp}, ESP in UDP {udpEsp}, TCP outside IPsec {clearTcp}");
            Assert.Equal(0, udpEsp);
            Assert.Equal(0, clearTcp);
            if (ah)
            {
                Assert.True(ahFrames > 300, $"expected hundreds of AH frames for 1 MB, saw {ahFrames}");
                Assert.True(tcpBehindAh >= ahFrames - 20, $"only {tcpBehindAh} of {ahFrames} AH frames show TCP behind AH");
                Assert.Equal(0, rawEsp);
            }
            else
            {
                Assert.True(rawEsp > 300, $"expected hundreds of raw ESP frames for 1 MB, saw {rawEsp}");
                Assert.Equal(0, ahFrames);
            }
            var counted = left.ListSas().Find(LabConfig.Connection)!.Children.Single();
            Assert.True(counted.PacketsOut > 300 && counted.PacketsIn > 0, $"left counted {counted.PacketsIn} in / {counted.PacketsOut} out");
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
    }
}
