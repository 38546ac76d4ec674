using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Petrel.Demo;

/// <summary>
/// Child processes of the demo: short commands run to completion (ip, ping, petrel up/list-sas)
/// and the two daemons, which are stopped by their own PID and nothing else.
/// </summary>
internal sealed class DemoProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;

    public int Pid { get; }
    public string LogPath { get; }

    private DemoProcess(Process process, string logPath)
    {
        _process = process;
        Pid = process.Id;
        LogPath = logPath;
    }

    public sealed record Result(int ExitCode, string Output, bool TimedOut)
    {
        public bool Ok => ExitCode == 0 && !TimedOut;
    }

    /// <summary>Runs a command to completion; stdout and stderr are returned together.</summary>
    public static async Task<Result> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        for (int i = 1; i < argv.Count; i++) psi.ArgumentList.Add(argv[i]);
        using var p = new Process { StartInfo = psi };
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Result(127, $"{argv[0]}: {e.Message}", false);
        }
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        bool timedOut = false;
        try
        {
            await p.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            await p.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }
        string text;
        lock (output) text = output.ToString();
        return new Result(timedOut ? -1 : p.ExitCode, text, timedOut);
    }

    /// <summary>Starts a long-running command with its output appended to <paramref name="logPath"/>.</summary>
    public static DemoProcess Start(IReadOnlyList<string> argv, string logPath)
    {
        var quoted = string.Join(' ', argv.Select(Quote));
        // The shell execs the command, so the PID we keep is the command's own.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {quoted} >>{Quote(logPath)} 2>&1 </dev/null");
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + quoted);
        p.StandardInput.Close();
        return new DemoProcess(p, logPath);
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGTERM to this PID, SIGKILL if it has not ended after <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited) return;
        _ = Kill(Pid, SigTerm);
        if (!_process.WaitForExit(grace))
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
            _process.WaitForExit(3000);
        }
    }

    public string LogTail(int lines)
    {
        try
        {
            using var fs = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var r = new StreamReader(fs);
            var all = r.ReadToEnd().Split('\n');
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException) { return ""; }
    }

    /// <summary>Sends SIGTERM without waiting (several processes can then wind down together).</summary>
    public void Terminate()
    {
        if (!_process.HasExited) _ = Kill(Pid, SigTerm);
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(3));
        _process.Dispose();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
