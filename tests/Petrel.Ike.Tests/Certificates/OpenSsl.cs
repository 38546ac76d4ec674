using System.Diagnostics;
using Petrel.TestSupport;

namespace Petrel.Ike.Tests.Certificates;

/// <summary>Runs the openssl CLI: an independent implementation to check our signatures and keys against.</summary>
internal static class OpenSsl
{
    public static (int Code, string Out, string Err) Run(string workDir, params string[] args)
    {
        ExecutableLog.Record("openssl", args);
        var psi = new ProcessStartInfo("openssl") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr);
    }

    public static void MustRun(string workDir, params string[] args)
    {
        var (code, _, err) = Run(workDir, args);
        Assert.True(code == 0, $"openssl {string.Join(' ', args)} failed: {err}");
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "petrel-cert-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
