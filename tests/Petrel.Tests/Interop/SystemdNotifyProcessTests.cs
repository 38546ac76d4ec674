using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// The real `petrel daemon` process started the way systemd starts a Type=notify service: NOTIFY_SOCKET names a
/// unix datagram socket the test listens on, WATCHDOG_USEC asks for the watchdog. It runs in a namespace (it opens
/// its TUN device and UDP 500/4500 there) and must say READY=1 with its PID, feed the watchdog, and say
/// STOPPING=1 on SIGTERM before it exits 0.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SystemdNotifyProcessTests(ITestOutputHelper output)
{
    private static string? Receive(Socket socket, TimeSpan timeout)
    {
        if (!socket.Poll(timeout, SelectMode.SelectRead))
            return null;
        var buffer = new byte[4096];
        return Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer));
    }

    [RootFact]
    public void Petrel_daemon_notifies_ready_watchdog_and_stopping_over_notify_socket()
    {
        using var lab = NamespacePair.Create("sdn");
        string path = Path.Combine(lab.WorkDir, "notify.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        string conf = Path.Combine(lab.Left.WorkDir, "swanctl.conf");
        File.WriteAllText(conf, "petrel {\n}\n");
        var daemon = lab.Start(lab.Left, "petrel.log",
            [.. PetrelExecutable.Command, "daemon", "--config", conf, "--socket", Path.Combine(lab.Left.WorkDir, "petrel.sock")],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "1000000" });
        try
        {
            string? ready = Receive(listener, TimeSpan.FromSeconds(60));
            Assert.NotNull(ready);
            output.WriteLine(ready);
            Assert.StartsWith("READY=1\n", ready);
            Assert.Contains($"MAINPID={daemon.Pid.ToString(CultureInfo.InvariantCulture)}", ready);
            for (int i = 0; i < 2; i++)
                Assert.Equal("WATCHDOG=1", Receive(listener, TimeSpan.FromSeconds(3)));

            daemon.Stop(StartedProcess.SigTerm, TimeSpan.FromSeconds(20));
            Assert.Equal(0, daemon.ExitCode);
            var afterStop = new List<string>();
            while (Receive(listener, TimeSpan.FromMilliseconds(200)) is { } message)
                afterStop.Add(message);
            Assert.Contains(afterStop, m => m.StartsWith("STOPPING=1", StringComparison.Ordinal));
            Assert.Contains("told systemd the daemon is ready", daemon.ReadLog());
        }
        catch
        {
            output.WriteLine(daemon.ReadLog());
            throw;
        }
    }
}
