using System.Globalization;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// petrel { user = nobody } (issue 12, least privilege): once its sockets, TUN device and keys are open the daemon runs
/// as uid/gid 65534 on every thread; only its IKE thread holds capabilities, exactly CAP_NET_ADMIN and CAP_NET_RAW, and
/// no thread holds any other. As that user it still brings a tunnel up with strongSwan and carries traffic both ways.
/// </summary>
[Trait("Category", "Interop")]
public sealed class PrivilegeDropInteropTests(PrivilegeDropLab fixture, ITestOutputHelper output) : IClassFixture<PrivilegeDropLab>
{
    private const ulong NetAdminAndRaw = (1UL << 12) | (1UL << 13);

    [RootFact]
    public void The_daemon_runs_as_the_user_with_only_net_admin_and_net_raw_and_still_carries_traffic()
    {
        var lab = fixture.Lab;
        var proposals = ProposalPair.ByName("gcm128");
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, proposals));
        using var petrel = PetrelPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, proposals) + "\npetrel {\n  user = nobody\n  export_keys = yes\n}\n");
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!petrel.Log().Contains("running as user nobody (uid 65534, gid 65534)", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
                Thread.Sleep(100);
            Assert.Contains("running as user nobody (uid 65534, gid 65534)", petrel.Log());

            var threads = Directory.GetDirectories($"/proc/{petrel.Pid}/task");
            Assert.True(threads.Length > 3, $"{threads.Length} threads");
            int privileged = 0;
            foreach (var task in threads)
            {
                var status = Status(task);
                if (status is null) continue; // the thread ended meanwhile
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                Assert.True(status["Uid"] == "65534 65534 65534 65534", $"thread {name}: Uid {status["Uid"]}");
                Assert.True(status["Gid"] == "65534 65534 65534 65534", $"thread {name}: Gid {status["Gid"]}");
                Assert.True(status["Groups"] == "65534", $"thread {name}: Groups '{status["Groups"]}'");
                ulong eff = Caps(status["CapEff"]), prm = Caps(status["CapPrm"]), amb = Caps(status["CapAmb"]);
                if (name == "petrel-ike")
                {
                    privileged++;
                    Assert.Equal((NetAdminAndRaw, NetAdminAndRaw, NetAdminAndRaw), (eff, prm, amb));
                }
                else
                {
                    Assert.True(eff == 0 && prm == 0 && amb == 0, $"thread {name}: CapEff {eff:x} CapPrm {prm:x} CapAmb {amb:x}");
                }
            }
            Assert.Equal(1, privileged);
            // A change of credentials resets dumpability; the daemon sets PR_SET_DUMPABLE 0 again, which makes the kernel
            // give its /proc files to root instead of the process's own user (proc(5)).
            var owner = CommandRunner.Run(["stat", "-c", "%u", $"/proc/{petrel.Pid}/status"]);
            Assert.Equal("0", owner.StandardOutput.Trim());

            var up = petrel.Up(LabConfig.Connection, LabConfig.Child);
            Assert.True(up.Succeeded, up.Describe());
            TunnelTraffic.AssertStrongSwanUp(strongswan, proposals);
            TunnelTraffic.AssertPetrelUp(petrel, proposals);
            var report = TunnelTraffic.Run(lab, "pd");
            output.WriteLine(report.ToString());
            TunnelTraffic.AssertPassed(report);
            Assert.False(petrel.HasExited);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    private static Dictionary<string, string>? Status(string task)
    {
        try
        {
            return File.ReadAllLines(Path.Combine(task, "status")).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => string.Join(' ', p[1].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ulong Caps(string hex) => ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
