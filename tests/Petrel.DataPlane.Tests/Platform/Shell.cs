using System.Diagnostics;
using Petrel.TestSupport;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>Runs a command line tool for test setup and returns exit code and output.</summary>
internal static class Shell
{
    /// <summary>Exit code and stdout, with stderr appended (for messages).</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = RunSplit(file, args);
        return (code, stdout + stderr);
    }

    public static (int Code, string Stdout, string Stderr) RunSplit(string file, params string[] args)
    {
        ExecutableLog.Record(file, args);
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            return (-1, "", "timeout");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Stdout of a command that must succeed.</summary>
    public static string Must(string file, params string[] args)
    {
        var (code, stdout, stderr) = RunSplit(file, args);
        if (code != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {stdout}{stderr}");
        return stdout;
    }
}
