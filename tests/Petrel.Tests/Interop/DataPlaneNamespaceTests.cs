using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel ⇄ Petrel in namespaces: path MTU discovery through the tunnel (ICMP fragmentation
/// needed / packet too big from Petrel with the SA's MTU), and SPD entries steering traffic —
/// two protect children with their own SAs, a pass child around the tunnel, a drop child.
/// </summary>
[Trait("Category", "Interop")]
public sealed class DataPlaneNamespaceTests(DataPlaneLab fixture, ITestOutputHelper output) : IClassFixture<DataPlaneLab>
{
    // AES-GCM-16 ESP-in-UDP over IPv4: 1500 - 20 - 8 - 8 (ESP) - 8 (IV) - 16 (ICV) = 1440 → 1438 with the trailer.
    private const int SaMtu = 1438;

    [RootFact]
    public void Ping_with_df_too_big_for_the_sa_gets_fragmentation_needed_with_the_sa_mtu()
    {
        var lab = fixture.Lab;
        _ = fixture.Left;
        try
        {
            // 1472 + 8 + 20 = 1500 bytes fit the TUN device but not the SA.
            var big = lab.Exec(lab.Left, TimeSpan.FromSeconds(20), "ping", "-4", "-M", "do", "-s", "1472", "-c", "1", "-W", "2",
                "-I", lab.Left.LanV4, DataPlaneLab.PmtuTarget);
            output.WriteLine(big.StandardOutput);
            Assert.False(big.Succeeded);
            Assert.Contains($"Frag needed and DF set (mtu = {SaMtu})", big.StandardOutput);

            // Exactly the SA's MTU passes.
            var fits = lab.Exec(lab.Left, TimeSpan.FromSeconds(20), "ping", "-4", "-M", "do", "-s", (SaMtu - 28).ToString(), "-c", "2", "-i", "0.2",
                "-W", "3", "-I", lab.Left.LanV4, DataPlaneLab.PmtuTarget);
            Assert.True(fits.Succeeded, fits.Describe());

            // IPv6: Packet Too Big with the same MTU (outer IPv4 either way).
            var big6 = lab.Exec(lab.Left, TimeSpan.FromSeconds(20), "ping", "-6", "-M", "do", "-s", "1452", "-c", "1", "-W", "2",
                "-I", lab.Left.LanV6, lab.Right.LanV6);
            output.WriteLine(big6.StandardOutput);
            Assert.False(big6.Succeeded);
            Assert.Contains($"Packet too big: mtu={SaMtu}", big6.StandardOutput);
        }
        catch
        {
            output.WriteLine(fixture.Left.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Tcp_through_a_1500_byte_tunnel_device_finds_the_path_mtu()
    {
        var lab = fixture.Lab;
        _ = fixture.Left;
        // The left's TUN MTU is 1500, so TCP starts with 1460-byte segments (MSS from the device MTU)
        // and only the ICMP errors Petrel sends make it fall back to what the SA carries.
        var tcp = TcpTransfer.Run(lab.Left, lab.Right, 4 << 20, timeout: TimeSpan.FromSeconds(60));
        output.WriteLine(tcp.ToString());
        Assert.True(tcp.ChecksumsMatch, tcp.ToString());
        Assert.Equal(4L << 20, tcp.BytesReceived);

        var route = lab.Exec(lab.Left, "ip", "-4", "route", "get", lab.Right.LanV4, "from", lab.Left.LanV4).EnsureSuccess();
        output.WriteLine(route.StandardOutput);
        Assert.Contains($"mtu {SaMtu}", route.StandardOutput);
    }

    [RootFact]
    public void Protect_pass_and_drop_entries_steer_traffic_to_their_sa_around_the_tunnel_or_nowhere()
    {
        var lab = fixture.Lab;
        var left = fixture.Left;
        try
        {
            var before = left.ListSas().Find(DataPlaneLabConfig.Connection)!;
            using var capture = PacketCapture.Start(lab, lab.Left, "steering");

            var net = Ping(lab, lab.Right.LanV4);
            var web = Ping(lab, DataPlaneLab.WebTarget);
            var bypass = Ping(lab, DataPlaneLab.BypassTarget);
            var drop = Ping(lab, DataPlaneLab.DropTarget);
            var pcap = capture.Stop();

            Assert.True(net.Succeeded, net.Describe());
            Assert.True(web.Succeeded, web.Describe());
            Assert.True(bypass.Succeeded, bypass.Describe());
            Assert.False(drop.Succeeded, "the drop child must discard: " + drop.Describe());

            var after = left.ListSas().Find(DataPlaneLabConfig.Connection)!;
            ulong Out(PetrelSaListing.Ike sa, string child) => sa.Children.Where(c => c.Name == child).Sum(c => (long)c.PacketsOut) is var n ? (ulong)n : 0;
            output.WriteLine($"packets_out net {Out(before, "net")} -> {Out(after, "net")}, web {Out(before, "web")} -> {Out(after, "web")}");
            // Three echo requests each: 10.2.0.1 through net, 10.2.7.1 through web (the more specific
            // entry), nothing of the bypassed or dropped destinations.
            Assert.Equal(3ul, Out(after, "net") - Out(before, "net"));
            Assert.Equal(3ul, Out(after, "web") - Out(before, "web"));

            int clearBypass = Tshark.Count(pcap, $"icmp.type == 8 && ip.dst == {DataPlaneLab.BypassTarget}");
            int clearDrop = Tshark.Count(pcap, $"ip.dst == {DataPlaneLab.DropTarget}");
            int clearProtected = Tshark.Count(pcap, $"icmp && (ip.dst == {lab.Right.LanV4} || ip.dst == {DataPlaneLab.WebTarget})");
            int esp = Tshark.Count(pcap, "udp.port == 4500");
            output.WriteLine($"wire: {clearBypass} cleartext echo requests to the bypass address, {clearDrop} packets to the drop address, {clearProtected} cleartext protected, {esp} ESP-in-UDP");
            Assert.Equal(3, clearBypass);
            Assert.Equal(0, clearDrop);
            Assert.Equal(0, clearProtected);
            Assert.True(esp >= 12, $"{esp} ESP-in-UDP packets");
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(fixture.Right.Diagnostics());
            throw;
        }
    }

    private static CommandResult Ping(NamespacePair lab, string target) =>
        lab.Exec(lab.Left, TimeSpan.FromSeconds(20), "ping", "-4", "-c", "3", "-i", "0.2", "-W", "2", "-I", lab.Left.LanV4, target);
}
