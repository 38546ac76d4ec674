using System.Diagnostics;

namespace Petrel.Platform.Net;

/// <summary>
/// Configures the TUN device's link and addresses through iproute2's `ip` command, once at start.
/// Routes and rules, which change with every policy, go over rtnetlink (<see cref="RtNetlink"/>)
/// instead of a ~20 ms process spawn each. This is the only class that runs ip.
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
