using System.Diagnostics;

namespace Petrel.Platform.Net;

/// <summary>
/// Configures links, addresses and routes through iproute2's `ip` command. Netlink via P/Invoke
/// would avoid the process spawn; these calls are rare (device setup, one route per policy), so
/// the simpler tool wins for now. This is the only class that runs it.
/// </summary>
internal static class IpCommand
{
    /// <summary>Runs `ip args…`; throws with ip's own error text when it fails.</summary>
    public static void Run(params string[] args)
    {
        var (code, error) = TryRun(args);
        if (code != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error.Trim()} (exit {code})");
    }

    public static (int ExitCode, string Error) TryRun(params string[] args)
    {
        var (code, _, error) = Execute(args);
        return (code, error);
    }

    /// <summary>Runs `ip args…` and returns its standard output.</summary>
    public static (int ExitCode, string Output) TryRunOutput(params string[] args)
    {
        var (code, output, _) = Execute(args);
        return (code, output);
    }

    private static (int ExitCode, string Output, string Error) Execute(string[] args)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ip");
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, err);
    }
}
