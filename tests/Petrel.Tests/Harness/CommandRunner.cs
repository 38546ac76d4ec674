using System.Diagnostics;
using System.Text;
using Petrel.TestSupport;

namespace Petrel.Tests.Harness;

/// <summary>Runs short-lived commands to completion, with a timeout, capturing their output.</summary>
public static class CommandRunner
{
    public static CommandResult Run(IReadOnlyList<string> argv, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ExecutableLog.Record(argv);
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        for (int i = 1; i < argv.Count; i++) psi.ArgumentList.Add(argv[i]);
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;

        var line = string.Join(' ', argv);
        using var p = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        bool exited = p.WaitForExit(limit);
        if (!exited)
        {
            // Only the process we started, by its PID.
            try { p.Kill(); } catch (InvalidOperationException) { }
            p.WaitForExit(5000);
        }
        else
        {
            p.WaitForExit(); // drains the asynchronous readers
        }
        string o, e;
        lock (stdout) o = stdout.ToString();
        lock (stderr) e = stderr.ToString();
        return new CommandResult(line, exited ? p.ExitCode : -1, o, e, !exited);
    }

    public static CommandResult Run(params string[] argv) => Run((IReadOnlyList<string>)argv);

    /// <summary>Quotes one word for /bin/sh.</summary>
    public static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
