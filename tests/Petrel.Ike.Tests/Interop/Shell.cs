using System.Diagnostics;
using Petrel.TestSupport;

namespace Petrel.Ike.Tests.Interop;

/// <summary>Runs a command and returns its exit code and output (stdout + stderr).</summary>
internal static class Shell
{
    public static (int Code, string Output) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, int timeoutMs = 20000)
    {
        using var p = Start(file, args, env);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"{file} timed out");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public static Process Start(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        ExecutableLog.Record(file, args);
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
    }

    public static void Must(string file, params string[] args)
    {
        var (code, output) = Run(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
    }
}
