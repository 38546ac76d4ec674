using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Petrel.Daemon;

/// <summary>
/// systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram of NEWLINE-separated
/// VAR=VALUE lines to the unix socket named by NOTIFY_SOCKET (a path, or "@name" for the abstract
/// namespace). READY=1 once the daemon serves, STOPPING=1 when it begins to stop, WATCHDOG=1 at half the
/// interval in WATCHDOG_USEC (for this process, WATCHDOG_PID). Inactive, and every call a no-op, when the
/// daemon was not started by systemd with Type=notify.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    /// <summary>The notification socket's name as given, null when inactive.</summary>
    public string? SocketName { get; }

    /// <summary>How often systemd expects WATCHDOG=1 (WatchdogSec=); null without a watchdog.</summary>
    public TimeSpan? WatchdogInterval { get; }

    private SystemdNotifier(string? socketName, TimeSpan? watchdog)
    {
        SocketName = socketName;
        WatchdogInterval = watchdog;
        if (socketName is null)
            return;
        // A leading '@' names the abstract namespace, which .NET spells with a leading NUL.
        _endpoint = new UnixDomainSocketEndPoint(socketName[0] == '@' ? "\0" + socketName[1..] : socketName);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public static SystemdNotifier Inactive { get; } = new(null, null);

    public bool Active => _socket is not null;

    /// <summary>
    /// From NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as systemd sets them. Only absolute paths and abstract
    /// names are accepted, as sd_notify does; a watchdog meant for another process (WATCHDOG_PID) is ignored.
    /// </summary>
    public static SystemdNotifier FromEnvironment(Func<string, string?> variable, int processId)
    {
        string? socket = variable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(socket) || (socket[0] != '/' && socket[0] != '@') || socket.Length < 2)
            return Inactive;
        TimeSpan? watchdog = null;
        string? pid = variable("WATCHDOG_PID");
        bool ours = string.IsNullOrEmpty(pid) || (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p == processId);
        if (ours && ulong.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) && usec > 0)
            watchdog = TimeSpan.FromMicroseconds(usec);
        return new SystemdNotifier(socket, watchdog);
    }

    /// <summary>
    /// The process's own: reads the variables and removes NOTIFY_SOCKET and the watchdog's from the environment,
    /// so programs the daemon starts (updown scripts) do not speak for it.
    /// </summary>
    public static SystemdNotifier FromProcess()
    {
        var notifier = FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId);
        foreach (var name in (string[])["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"])
            Environment.SetEnvironmentVariable(name, null);
        return notifier;
    }

    /// <summary>Sends one notification ("READY=1", "STATUS=…"); false when inactive or the socket refused it.</summary>
    public bool Notify(string state)
    {
        if (_socket is null || _endpoint is null)
            return false;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose() => _socket?.Dispose();
}
