using System.Globalization;
using System.Text.RegularExpressions;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Packaging;

/// <summary>
/// packaging/petrel.service: systemd-analyze (Debian's systemd) verifies it, and rates its sandboxing, offline
/// in a scratch root that holds the unit where the README installs it, a stand-in for /opt/petrel/petrel, and
/// Debian's own units (the targets it orders itself after).
/// </summary>
public sealed class SystemdUnitTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"petrel-unit-{Guid.NewGuid():N}");

    private static string UnitPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Petrel.slnx")))
                dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("the repository root (Petrel.slnx)"), "packaging", "petrel.service");
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private void BuildRoot()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc/systemd/system"));
        File.Copy(UnitPath, Path.Combine(_root, "etc/systemd/system/petrel.service"));
        Directory.CreateDirectory(Path.Combine(_root, "opt/petrel"));
        string binary = Path.Combine(_root, "opt/petrel/petrel");
        File.WriteAllText(binary, "#!/bin/sh\n");
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        string units = Path.Combine(_root, "lib/systemd/system");
        Directory.CreateDirectory(units);
        foreach (var file in Directory.EnumerateFiles("/lib/systemd/system", "*.target"))
            File.Copy(file, Path.Combine(units, Path.GetFileName(file)));
    }

    [Fact]
    public void Unit_is_type_notify_with_a_watchdog_and_reads_etc_petrel()
    {
        string unit = File.ReadAllText(UnitPath);
        Assert.Contains("\nType=notify\n", unit);
        Assert.Matches(@"\nWatchdogSec=\d+s\n", unit);
        Assert.Contains("\nExecStart=/opt/petrel/petrel daemon --config /etc/petrel/swanctl.conf\n", unit);
        Assert.Equal("/etc/petrel/swanctl.conf", Petrel.Daemon.DaemonRunner.DefaultConfigPath);
    }

    [Fact]
    public void Systemd_analyze_verifies_the_unit_and_rates_its_exposure_ok()
    {
        BuildRoot();
        var verify = CommandRunner.Run(["systemd-analyze", "verify", $"--root={_root}", "petrel.service"], TimeSpan.FromSeconds(60));
        output.WriteLine(verify.Describe());
        Assert.True(verify.Succeeded, verify.Describe());
        // Unknown keys are only warnings (exit 0): none may be printed.
        Assert.Equal("", verify.StandardError.Trim());

        var security = CommandRunner.Run(["systemd-analyze", "security", "--offline=yes", $"--root={_root}", "petrel.service"], TimeSpan.FromSeconds(60));
        Assert.True(security.Succeeded, security.Describe());
        var m = Regex.Match(security.StandardOutput, @"Overall exposure level for petrel\.service: (\d+\.\d)");
        Assert.True(m.Success, security.StandardOutput);
        double exposure = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"systemd-analyze security: exposure {exposure} (0 = locked down, 10 = none)");
        Assert.True(exposure <= 3.0, $"exposure {exposure}:\n{security.StandardOutput}");
    }
}
