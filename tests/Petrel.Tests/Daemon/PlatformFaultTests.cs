using System.Diagnostics;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Daemon;

/// <summary>
/// Faults of the platform under a running daemon (issue 12, "Faults"): a real daemon in a namespace.
/// </summary>
public sealed class PlatformFaultTests(PlatformFaultLab fixture, ITestOutputHelper output) : IClassFixture<PlatformFaultLab>
{
    /// <summary>
    /// The TUN device deleted under the daemon (<c>ip link del petrel0</c>): before, the reader got EBADFD and
    /// POLLERR at once and spun at 100 % CPU forever; now the daemon says so in one line and exits 1.
    /// </summary>
    [RootFact]
    public void Deleting_the_tun_device_makes_the_daemon_exit_1_with_one_line()
    {
        var lab = fixture.Lab;
        using var petrel = PetrelPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, ProposalPair.ByName("gcm128")));
        lab.Exec(lab.Left, "ip", "link", "del", "petrel0").EnsureSuccess();
        var watch = Stopwatch.StartNew();
        bool exited = petrel.WaitForExit(TimeSpan.FromSeconds(20));
        string log = petrel.Log();
        output.WriteLine($"exited={exited} after {watch.Elapsed.TotalSeconds:F1} s, code {petrel.ExitCode}\n{log}");
        Assert.True(exited, "the daemon kept running without its TUN device");
        Assert.Equal(1, petrel.ExitCode);
        var lines = log.Split('\n').Where(l => l.Contains("TUN device 'petrel0' is gone", StringComparison.Ordinal)).ToList();
        Assert.Single(lines);
        Assert.Contains("no traffic can pass, exiting", lines[0], StringComparison.Ordinal);
    }
}
