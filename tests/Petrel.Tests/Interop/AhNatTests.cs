using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// AH across a NAT (RFC 4302 §3.3.3: the ICV covers the outer source address a NAT rewrites;
/// RFC 3948 UDP-encapsulates ESP only). Once IKE sees a NAT (or encap = yes fakes one), the AH
/// CHILD_SA fails with "AH cannot traverse NAT"; and an AH packet whose source address a NAT
/// rewrote fails the receiver's ICV check, so nothing gets through.
/// </summary>
[Trait("Category", "Interop")]
public sealed class AhNatTests(AhNatLab fixture, ITestOutputHelper output) : IClassFixture<AhNatLab>
{
    /// <summary>Untracked except what the case NATs; a real source NAT (conntrack snat) of everything the left site sends.</summary>
    private const string SnatAll = """
          chain out { type nat hook postrouting priority srcnat; oifname "eth0" ip saddr 198.18.0.1 snat to 198.18.0.3; }
        """;

    [RootTheory]
    [InlineData("an1", "NAT detected in front of the peer")]
    [InlineData("an2", "NAT detected in front of the peer")]
    public void Ah_child_sa_fails_when_ike_sees_a_nat_or_encap_is_forced(string connection, string reason)
    {
        var lab = fixture.Lab;
        var left = fixture.Left;
        var right = fixture.Right;
        try
        {
            // an1: a real NAT translates the left site; an2: no NAT, but encap = yes.
            if (connection == "an1")
                fixture.SetLeftRules(SnatAll);
            else
                fixture.ClearLeftRules();
            var up = left.Up(connection, connection + "c", timeoutSeconds: 15);
            output.WriteLine(up.Describe());
            Assert.False(up.Succeeded, "the AH CHILD_SA came up across a NAT");
            string line = $"CHILD_SA {connection}c: AH cannot traverse NAT ({reason}";
            var log = right.Log();
            var hit = log.Split('\n').FirstOrDefault(l => l.Contains(line, StringComparison.Ordinal));
            output.WriteLine("right: " + hit);
            Assert.True(hit is not null, $"right's log lacks '{line}'");
            Assert.DoesNotContain(right.ListSas().Find(connection)?.Children ?? [], ch => ch.State == "INSTALLED");
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
        finally
        {
            left.Cli("down", connection, "--timeout", "5");
            fixture.ClearLeftRules();
        }
    }

    [RootFact]
    public void Ah_packets_whose_source_a_nat_rewrote_fail_the_icv()
    {
        var lab = fixture.Lab;
        var left = fixture.Left;
        var right = fixture.Right;
        try
        {
            // IKE passes untouched (untracked, so no translation from an earlier test applies);
            // AH packets get the NAT's source address, rewritten in place as a NAT would.
            fixture.SetLeftRules("""
                  chain raw_out { type filter hook output priority raw; notrack; }
                  chain raw_in { type filter hook prerouting priority raw; notrack; }
                  chain out { type filter hook postrouting priority 0; oifname "eth0" ip protocol ah ip saddr set 198.18.0.3; }
                """);
            var up = left.Up("an1", "an1c", timeoutSeconds: 15);
            Assert.True(up.Succeeded, up.Describe());

            string pcap;
            CommandResult ping;
            using (var capture = PacketCapture.Start(lab, lab.Right, "ah-nat"))
            {
                ping = lab.Ping(lab.Left, lab.Right, count: 3);
                pcap = capture.Stop();
            }
            Assert.False(ping.Succeeded, "pings crossed a NAT under AH: " + ping.Describe());
            int rewritten = Tshark.Count(pcap, $"ah && ip.src == {AhNatLab.NatAddress} && ip.src == {lab.Left.LanV4}");
            var child = right.ListSas().Find("an1")!.Children.Single();
            ulong failures = child.Raw["integrity_failures"]!.GetValue<ulong>();
            output.WriteLine($"AH frames from {AhNatLab.NatAddress} on the right's wire: {rewritten}; right's CHILD_SA: integrity_failures {failures}, packets_in {child.PacketsIn}");
            Assert.True(rewritten >= 3, $"expected the 3 echo requests with the NAT's source, saw {rewritten}");
            Assert.True(failures >= 3, $"expected ≥ 3 integrity failures on the right, got {failures}");
            Assert.Equal(0UL, child.PacketsIn);
        }
        catch
        {
            output.WriteLine(left.Diagnostics());
            output.WriteLine(right.Diagnostics());
            throw;
        }
        finally
        {
            left.Cli("down", "an1", "--timeout", "5");
            fixture.ClearLeftRules();
        }
    }
}
