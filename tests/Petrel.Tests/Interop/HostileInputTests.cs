using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Hostile datagrams on Petrel's UDP 500/4500 while a tunnel with strongSwan is up: the daemon
/// survives, the SA keeps passing traffic, and the drops are counted (SPEC.md §3).
/// </summary>
[Trait("Category", "Interop")]
public sealed class HostileInputTests(HostileInputLab fixture, ITestOutputHelper output) : IClassFixture<HostileInputLab>
{
    [RootFact]
    public void Hostile_packets_are_dropped_and_counted_while_the_sa_keeps_working()
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.Gcm128;
        using var petrel = PetrelPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, proposals));
        try
        {
            strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            var (_, childBefore) = TunnelTraffic.AssertPetrelUp(petrel);

            string pcap;
            using (var capture = PacketCapture.Start(lab, lab.Right, "hostile-sample"))
            {
                Assert.True(lab.Ping(lab.Left, lab.Right).Succeeded);
                pcap = capture.Stop();
            }
            var esp = HostilePackets.FindEsp(pcap, lab.Left, lab.Right);
            Assert.True(esp is not null, "no ESP-in-UDP packet left -> right in the capture");

            var (_, before) = TunnelTraffic.AssertPetrelUp(petrel);
            var sent = HostilePackets.Inject(lab, lab.Left, lab.Right, esp!);
            Thread.Sleep(500);

            Assert.False(petrel.HasExited, "the Petrel daemon died under hostile input");
            var ping = lab.Ping(lab.Left, lab.Right);
            Assert.True(ping.Succeeded, "tunnel stopped passing traffic after hostile input: " + ping.Describe());
            var transfer = TcpTransfer.Run(lab.Left, lab.Right, 1024 * 1024);
            Assert.True(transfer.ChecksumsMatch, transfer.ToString());

            var (_, after) = TunnelTraffic.AssertPetrelUp(petrel);
            Assert.Equal(childBefore.SpiIn, after.SpiIn);
            Assert.True(after.BytesIn > before.BytesIn + 1024 * 1024, $"inbound bytes {before.BytesIn} -> {after.BytesIn}");
            // RFC 4303 §3.4.3 and §3.4.4: replays and ICV failures are dropped and counted per SA
            // (list-sas --json: replay_drops, integrity_failures on the CHILD_SA).
            ulong replays = Counter(after, "replay_drops") - Counter(before, "replay_drops");
            ulong integrity = Counter(after, "integrity_failures") - Counter(before, "integrity_failures");
            output.WriteLine($"sent {sent}; counted {replays} replay drops, {integrity} integrity failures");
            output.WriteLine(after.Raw.ToJsonString());
            Assert.True(replays >= (ulong)sent.Replays, $"expected {sent.Replays} replay drops counted, got {replays}");
            Assert.True(integrity >= (ulong)sent.BadIcv, $"expected {sent.BadIcv} integrity failures counted, got {integrity}");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    private static ulong Counter(PetrelSaListing.Child child, string name) =>
        child.Raw[name] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out ulong n) ? n : 0;
}
