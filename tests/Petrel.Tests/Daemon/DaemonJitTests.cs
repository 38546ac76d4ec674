using Petrel.Tests.Harness;

namespace Petrel.Tests.Daemon;

/// <summary>`petrel daemon` runs with tiered compilation off, in the process that was started (same PID); an explicit setting wins.</summary>
public class DaemonJitTests
{
    private static (string Environ, bool Up) StartAndRead(IReadOnlyDictionary<string, string>? environment)
    {
        var dir = Directory.CreateTempSubdirectory("petrel-jit-");
        try
        {
            var conf = Path.Combine(dir.FullName, "swanctl.conf");
            // Ports and a TUN name of its own: other test classes run daemons on 500/4500 and petrel0 meanwhile.
            int port = Harness.LoopbackPorts.NextPair();
            File.WriteAllText(conf, $"connections {{\n}}\npetrel {{\n  ike_port = {port}\n  natt_port = {port + 1}\n  tun_name = pjit{port}\n}}\n");
            var socket = Path.Combine(dir.FullName, "petrel.sock");
            using var daemon = StartedProcess.Start([.. PetrelExecutable.Command, "daemon", "--config", conf, "--socket", socket], Path.Combine(dir.FullName, "daemon.log"), environment);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(socket) && !daemon.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
            bool up = File.Exists(socket) && !daemon.HasExited;
            // The started PID is still the daemon: the re-exec kept it.
            string environ = up ? File.ReadAllText($"/proc/{daemon.Pid}/environ").Replace('\0', '\n') : daemon.ReadLog();
            string cmdline = up ? File.ReadAllText($"/proc/{daemon.Pid}/cmdline") : "";
            Assert.True(up, environ);
            Assert.Contains("daemon", cmdline);
            daemon.Stop();
            return (environ, up);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_daemon_replaces_itself_once_with_tiered_compilation_off_keeping_its_pid()
    {
        var (environ, _) = StartAndRead(null);
        Assert.Contains("DOTNET_TieredCompilation=0", environ.Split('\n'));
    }

    [Fact]
    public void An_explicit_tiered_compilation_setting_is_kept()
    {
        var (environ, _) = StartAndRead(new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "1" });
        Assert.Contains("DOTNET_TieredCompilation=1", environ.Split('\n'));
        Assert.DoesNotContain("DOTNET_TieredCompilation=0", environ.Split('\n'));
    }
}
