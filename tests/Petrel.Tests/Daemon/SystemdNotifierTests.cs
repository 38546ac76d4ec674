using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// sd_notify without libsystemd: a fake NOTIFY_SOCKET (a unix datagram socket this test binds, as systemd does)
/// receives READY=1 once the daemon serves, WATCHDOG=1 while its engine thread answers (and none while the
/// engine is stuck), and STOPPING=1 when it stops.
/// </summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private readonly TempConfigDir _dir = new();
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pn-{Guid.NewGuid():N}.sock");

    public SystemdNotifierTests() => _listener.Bind(new UnixDomainSocketEndPoint(_path));

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(_path);
        _dir.Dispose();
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    /// <summary>The next datagram, or null after <paramref name="timeout"/>.</summary>
    private string? Receive(TimeSpan timeout) => Receive(_listener, timeout);

    private static string? Receive(Socket socket, TimeSpan timeout)
    {
        if (!socket.Poll(timeout, SelectMode.SelectRead))
            return null;
        var buffer = new byte[4096];
        int n = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    [Fact]
    public void Environment_decides_whether_and_how_often_to_notify()
    {
        Assert.False(SystemdNotifier.FromEnvironment(Env(), 42).Active);
        Assert.False(SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", "relative/path")), 42).Active);
        Assert.False(SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", "@")), 42).Active);
        using var plain = SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", _path)), 42);
        Assert.True(plain.Active);
        Assert.Null(plain.WatchdogInterval);
        using var watched = SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", _path), ("WATCHDOG_USEC", "30000000"), ("WATCHDOG_PID", "42")), 42);
        Assert.Equal(TimeSpan.FromSeconds(30), watched.WatchdogInterval);
        // A watchdog meant for another process (systemd sets WATCHDOG_PID to the main PID) is not ours to feed.
        using var other = SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", _path), ("WATCHDOG_USEC", "30000000"), ("WATCHDOG_PID", "7")), 42);
        Assert.Null(other.WatchdogInterval);
        Assert.False(SystemdNotifier.Inactive.Notify("READY=1"));
    }

    [Fact]
    public void Notifications_reach_a_path_and_an_abstract_socket()
    {
        using var notifier = SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", _path)), 1);
        Assert.True(notifier.Notify("READY=1\nSTATUS=test"));
        Assert.Equal("READY=1\nSTATUS=test", Receive(TimeSpan.FromSeconds(5)));

        string name = $"petrel-notify-{Guid.NewGuid():N}";
        using var abstractListener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        abstractListener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        using var toAbstract = SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", "@" + name)), 1);
        Assert.True(toAbstract.Notify("WATCHDOG=1"));
        Assert.Equal("WATCHDOG=1", Receive(abstractListener, TimeSpan.FromSeconds(5)));

        // Nobody listening any more: the send fails, quietly.
        using var gone = SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", _path + ".gone")), 1);
        Assert.False(gone.Notify("READY=1"));
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    [Fact]
    public async Task The_daemon_says_ready_feeds_the_watchdog_while_its_engine_answers_and_says_stopping()
    {
        int port = Harness.LoopbackPorts.NextPair();
        var config = SwanctlLoader.Load(_dir.Write("swanctl.conf", $"petrel {{\n  ike_port = {port}\n  natt_port = {port + 1}\n}}\n"));
        await using var daemon = new PetrelDaemon(config, Path.Combine(Path.GetTempPath(), $"pn-{Guid.NewGuid():N}.ctl"),
            new LoopbackPlatform(IPAddress.Loopback), NullLoggerFactory.Instance);
        using var notifier = SystemdNotifier.FromEnvironment(Env(("NOTIFY_SOCKET", _path), ("WATCHDOG_USEC", "400000")), Environment.ProcessId);
        var service = new DaemonService(daemon, new Lifetime(), notifier, NullLogger<DaemonService>.Instance);

        Assert.Null(Receive(TimeSpan.FromMilliseconds(100)));
        await service.StartAsync(CancellationToken.None);
        string ready = Receive(TimeSpan.FromSeconds(5))!;
        Assert.StartsWith("READY=1\n", ready);
        Assert.Contains($"MAINPID={Environment.ProcessId}", ready);

        // Every 0.2 s (half of WATCHDOG_USEC) while the engine answers.
        var started = DateTime.UtcNow;
        for (int i = 0; i < 3; i++)
            Assert.Equal("WATCHDOG=1", Receive(TimeSpan.FromSeconds(2)));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), $"3 watchdog pings took {DateTime.UtcNow - started}");

        // The engine thread stuck for 3 s: no WATCHDOG=1 meanwhile (systemd would restart the service).
        // The silent window asserted is 1 s of those 3, so a slow test thread cannot run past the stall.
        var stuck = daemon.Loop.InvokeAsync(_ => { Thread.Sleep(3000); return 0; });
        while (Receive(TimeSpan.FromMilliseconds(50)) is not null) { }
        Assert.Null(Receive(TimeSpan.FromMilliseconds(1000)));
        await stuck;
        Assert.Equal("WATCHDOG=1", Receive(TimeSpan.FromSeconds(5)));

        await service.StopAsync(CancellationToken.None);
        string? stopping;
        do stopping = Receive(TimeSpan.FromSeconds(5));
        while (stopping == "WATCHDOG=1");
        Assert.NotNull(stopping);
        Assert.StartsWith("STOPPING=1", stopping);
        Assert.Null(Receive(TimeSpan.FromMilliseconds(600)));
    }
}
