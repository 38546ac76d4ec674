using System.Diagnostics;
using System.Runtime.InteropServices;
using Petrel.TestSupport;

namespace Petrel.Tests.Harness;

/// <summary>
/// A long-running process this harness started (charon, the Petrel daemon, tcpdump, iperf3 -s).
/// Its output goes to a log file. Stopping signals only this PID: SIGTERM (or the given signal),
/// then SIGKILL after a grace period.
/// </summary>
public sealed class StartedProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;

    public int Pid { get; }
    public string LogPath { get; }
    public string CommandLine { get; }

    private StartedProcess(Process process, string logPath, string commandLine)
    {
        _process = process;
        Pid = process.Id;
        LogPath = logPath;
        CommandLine = commandLine;
    }

    /// <summary>
    /// Starts argv with stdout and stderr appended to <paramref name="logPath"/>. The shell
    /// execs the command, so the PID we hold is the command's own PID.
    /// </summary>
    public static StartedProcess Start(IReadOnlyList<string> argv, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        ExecutableLog.Record(argv);
        var line = string.Join(' ', argv.Select(CommandRunner.ShellQuote));
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {line} >>{CommandRunner.ShellQuote(logPath)} 2>&1 </dev/null");
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {line}");
        p.StandardInput.Close();
        return new StartedProcess(p, logPath, line);
    }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Signal(int signal)
    {
        if (!_process.HasExited) _ = Kill(Pid, signal);
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then SIGKILL.</summary>
    public void Stop(int signal = SigTerm, TimeSpan? grace = null)
    {
        if (_process.HasExited) return;
        Signal(signal);
        if (!_process.WaitForExit(grace ?? TimeSpan.FromSeconds(10)))
        {
            Signal(SigKill);
            _process.WaitForExit(5000);
        }
    }

    public string ReadLog()
    {
        try
        {
            using var fs = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var r = new StreamReader(fs);
            return r.ReadToEnd();
        }
        catch (IOException) { return ""; }
    }

    public void Dispose()
    {
        try { Stop(); } finally { _process.Dispose(); }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
