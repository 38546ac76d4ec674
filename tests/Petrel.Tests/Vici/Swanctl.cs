using Petrel.Tests.Harness;

namespace Petrel.Tests.Vici;

/// <summary>strongSwan's own swanctl (Debian strongswan-swanctl), pointed at a vici socket.</summary>
public static class Swanctl
{
    /// <param name="swanctlDir">SWANCTL_DIR: where --load-* read swanctl.conf and the credential folders.</param>
    public static CommandResult Run(string socket, string? swanctlDir, params string[] args)
    {
        var argv = new List<string> { "swanctl" };
        argv.AddRange(args);
        argv.Add("--uri");
        argv.Add($"unix://{socket}");
        var env = new Dictionary<string, string>();
        if (swanctlDir is not null) env["SWANCTL_DIR"] = swanctlDir;
        return CommandRunner.Run(argv, TimeSpan.FromSeconds(60), env);
    }
}

/// <summary>A swanctl that runs until interrupted (--log, --monitor-sa): started in the background, stopped with SIGINT so it flushes its output.</summary>
public sealed class SwanctlListener : IDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly System.Text.StringBuilder _out = new();

    public SwanctlListener(string socket, params string[] args)
    {
        var argv = new List<string> { "swanctl" };
        argv.AddRange(args);
        argv.Add("--uri");
        argv.Add($"unix://{socket}");
        Petrel.TestSupport.ExecutableLog.Record(argv);
        var psi = new System.Diagnostics.ProcessStartInfo("swanctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        _process = System.Diagnostics.Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until what it printed so far satisfies <paramref name="done"/> (at most <paramref name="timeout"/>);
    /// the caller asserts afterwards, so a slow machine only waits longer.</summary>
    public async Task WaitForAsync(Func<string, bool> done, TimeSpan timeout)
    {
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            string sofar;
            lock (_out) sofar = _out.ToString();
            if (done(sofar)) return;
        }
    }

    /// <summary>Interrupts it (SIGINT, as Ctrl-C would) and returns everything it printed.</summary>
    public string Stop()
    {
        if (!_process.HasExited)
        {
            CommandRunner.Run("kill", "-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!_process.WaitForExit(10_000)) _process.Kill();
        }
        _process.WaitForExit();
        lock (_out) return _out.ToString();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
