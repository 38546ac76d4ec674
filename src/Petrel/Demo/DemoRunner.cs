using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Petrel.Demo;

/// <summary>
/// Runs the demo step by step and always cleans up: on success, on a failed step, and on Ctrl-C
/// (the cancellation token). Exit codes: 0 success, 1 a step failed, 2 cannot run here (not
/// root), 130 interrupted.
/// </summary>
public sealed class DemoRunner(DemoOptions options, TextWriter output, TextWriter error)
{
    public const int Success = 0;
    public const int StepFailed = 1;
    public const int CannotRun = 2;
    public const int Interrupted = 130;
    private const int Steps = 7;

    private readonly List<DemoProcess> _daemons = [];
    private DemoNetwork? _network;
    private int _step;

    public async Task<int> RunAsync(CancellationToken commandCancellation)
    {
        // Ctrl-C and SIGTERM end the demo through this token, so that cleanup always runs: the
        // command line's own handling of signals may end the process without waiting for us.
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(commandCancellation);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var cancellationToken = interrupt.Token;

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupt.Cancel();
        }

        if (!IsRoot())
        {
            error.WriteLine("petrel demo: needs root (it creates network namespaces and TUN devices); try: sudo ./petrel demo");
            return CannotRun;
        }

        var workDir = Path.Combine(Path.GetTempPath(), $"petrel-demo-{Environment.ProcessId}");
        bool ok = false;
        int code = StepFailed;
        try
        {
            Directory.CreateDirectory(workDir);
            _network = new DemoNetwork(workDir, error);
            PrintIntro(_network);
            await RunStepsAsync(_network, cancellationToken).ConfigureAwait(false);
            ok = true;
            code = Success;
            if (options.Keep)
            {
                output.WriteLine();
                output.WriteLine($"--keep: the sites stay up. Try: ip netns exec {_network.A.Namespace} ping -I {_network.A.Lan} {_network.B.Lan}");
                output.WriteLine($"        petrel list-sas --socket {_network.A.SocketPath}");
                output.WriteLine("        Ctrl-C ends the demo and cleans up.");
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (!ok)
            {
                output.WriteLine();
                error.WriteLine("petrel demo: interrupted");
                code = Interrupted;
            }
        }
        catch (DemoStepException e)
        {
            output.WriteLine("FAILED");
            error.WriteLine($"petrel demo: step {_step}/{Steps} failed: {e.Message}");
            PrintDaemonLogs();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            output.WriteLine("FAILED");
            error.WriteLine($"petrel demo: step {_step}/{Steps} failed: {e.Message}");
            PrintDaemonLogs();
        }
        finally
        {
            CleanUp(keepLogs: !ok, workDir, cancellationToken.IsCancellationRequested);
        }
        output.WriteLine(code == Success ? "petrel demo: success" : $"petrel demo: exit code {code}");
        return code;
    }

    private async Task RunStepsAsync(DemoNetwork net, CancellationToken ct)
    {
        Step("checking prerequisites (iproute2, ping, /dev/net/tun)");
        await DemoPackages.EnsureAsync(output, ct).ConfigureAwait(false);
        if (!File.Exists("/dev/net/tun"))
            throw new DemoStepException("/dev/net/tun is missing: Petrel's data plane needs the TUN driver");
        Ok();

        Step($"creating namespaces {net.A.Namespace} and {net.B.Namespace}");
        int leftovers = DemoPidFile.StopLeftovers();
        if (leftovers > 0) output.Write($"(stopped {leftovers} daemon(s) left by an interrupted demo) ");
        foreach (var ns in new[] { net.A.Namespace, net.B.Namespace })
        {
            if (DemoNetwork.Exists(ns))
            {
                output.Write($"(removing leftover {ns}) ");
                await DemoProcess.RunAsync(["ip", "netns", "del", ns], TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
            }
        }
        await net.CreateAsync(ct).ConfigureAwait(false);
        var reach = await DemoProcess.RunAsync(["ip", "netns", "exec", net.A.Namespace, "ping", "-c1", "-W2", net.B.Outer], TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        if (!reach.Ok) throw new DemoStepException($"the sites cannot reach each other over the veth: {reach.Output.Trim()}");
        Ok();

        Step("starting a Petrel daemon in each site");
        var psk = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        foreach (var (site, peer) in new[] { (net.A, net.B), (net.B, net.A) })
        {
            Directory.CreateDirectory(site.Dir);
            await File.WriteAllTextAsync(site.ConfigPath, DemoSiteConfig.For(site, peer, psk), ct).ConfigureAwait(false);
            _daemons.Add(DemoProcess.Start(
                ["ip", "netns", "exec", site.Namespace, .. DemoSelf.Command, "daemon", "--config", site.ConfigPath, "--socket", site.SocketPath],
                site.LogPath));
        }
        DemoPidFile.Write(_daemons.Select(d => d.Pid));
        await WaitForDaemonAsync(net.A, _daemons[0], ct).ConfigureAwait(false);
        await WaitForDaemonAsync(net.B, _daemons[1], ct).ConfigureAwait(false);
        Ok($"pids {_daemons[0].Pid} and {_daemons[1].Pid}");

        Step($"bringing the tunnel up from site A: petrel up {DemoSiteConfig.Connection} --child {DemoSiteConfig.Child}");
        var watch = Stopwatch.StartNew();
        var up = await Cli(net.A, ct, "up", DemoSiteConfig.Connection, "--child", DemoSiteConfig.Child, "--timeout", "20").ConfigureAwait(false);
        if (!up.Ok) throw new DemoStepException($"petrel up failed (exit {up.ExitCode}): {up.Output.Trim()}");
        Ok($"{watch.Elapsed.TotalMilliseconds:F0} ms");

        Step($"ping {net.A.Lan} -> {net.B.Lan} through the tunnel");
        var ping = await DemoProcess.RunAsync(
            ["ip", "netns", "exec", net.A.Namespace, "ping", "-c", "5", "-i", "0.2", "-W", "2", "-I", net.A.Lan, net.B.Lan],
            TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (!ping.Ok) throw new DemoStepException("no answer through the tunnel:\n" + ping.Output.Trim());
        Ok(PingSummary(ping.Output));

        long bytes = (long)Math.Max(1, options.Megabytes) * 1024 * 1024;
        Step($"TCP transfer of {bytes / (1024 * 1024)} MiB {net.A.Lan} -> {net.B.Lan} through the tunnel");
        var transfer = await DemoTransfer.RunAsync(net.A, net.B, bytes, ct).ConfigureAwait(false);
        if (!transfer.Intact)
            throw new DemoStepException($"sent {transfer.Sent} bytes, received {transfer.Received}, SHA-256 {(transfer.Received == transfer.Sent ? "differs" : "not compared")}");
        Ok($"{transfer.Received} bytes in {transfer.Elapsed.TotalSeconds:F2} s = {transfer.MegabitsPerSecond:F0} Mbit/s, SHA-256 intact");

        Step("security associations on both sides (petrel list-sas)");
        output.WriteLine();
        foreach (var site in new[] { net.A, net.B })
        {
            var list = await Cli(site, ct, "list-sas").ConfigureAwait(false);
            output.WriteLine($"  --- {site.Label} ({site.Namespace})");
            foreach (var line in list.Output.TrimEnd().Split('\n'))
                output.WriteLine("  " + line);
            if (!list.Ok) throw new DemoStepException($"petrel list-sas failed in {site.Label} (exit {list.ExitCode})");
        }
    }

    private async Task WaitForDaemonAsync(DemoSite site, DemoProcess daemon, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (daemon.HasExited)
                throw new DemoStepException($"the daemon of {site.Label} exited with code {daemon.ExitCode}");
            if (File.Exists(site.SocketPath) && (await Cli(site, ct, "list-sas", "--json").ConfigureAwait(false)).Ok)
                return;
            await Task.Delay(200, ct).ConfigureAwait(false);
        }
        throw new DemoStepException($"the daemon of {site.Label} did not answer on {site.SocketPath} within 30 s");
    }

    private static Task<DemoProcess.Result> Cli(DemoSite site, CancellationToken ct, params string[] args) =>
        DemoProcess.RunAsync([.. DemoSelf.Command, .. args, "--socket", site.SocketPath], TimeSpan.FromSeconds(45), ct);

    // After Ctrl-C the command line gives the action about two seconds before the process ends,
    // so an interrupted cleanup skips the orderly delete and stops both daemons at once.
    private void CleanUp(bool keepLogs, string workDir, bool interrupted)
    {
        output.Write("cleaning up: ");
        var parts = new List<string>();
        if (!interrupted && _daemons.Count > 0 && _network is not null && File.Exists(_network.A.SocketPath))
        {
            // Deleting the SAs first lets site B see an orderly INFORMATIONAL delete.
            var down = DemoProcess.RunAsync([.. DemoSelf.Command, "down", DemoSiteConfig.Connection, "--socket", _network.A.SocketPath],
                TimeSpan.FromSeconds(5), CancellationToken.None).GetAwaiter().GetResult();
            parts.Add(down.Ok ? "tunnel down" : "tunnel not taken down cleanly");
        }
        foreach (var d in _daemons) d.Terminate();
        var grace = TimeSpan.FromSeconds(interrupted ? 1 : 3);
        foreach (var d in _daemons)
        {
            d.Stop(grace);
            d.Dispose();
        }
        if (_daemons.Count > 0) parts.Add("daemons stopped");
        _daemons.Clear();
        DemoPidFile.Clear();
        _network?.Delete();
        parts.Add("namespaces deleted");
        if (keepLogs)
        {
            parts.Add($"logs kept in {workDir}");
        }
        else
        {
            try { Directory.Delete(workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        output.WriteLine(string.Join(", ", parts));
    }

    private void PrintDaemonLogs()
    {
        if (_network is null) return;
        var sites = new[] { _network.A, _network.B };
        for (int i = 0; i < _daemons.Count && i < sites.Length; i++)
        {
            var tail = _daemons[i].LogTail(15).TrimEnd();
            if (tail.Length == 0) continue;
            error.WriteLine($"--- last lines of {sites[i].Label}'s daemon log ({sites[i].LogPath}):");
            error.WriteLine(tail);
        }
    }

    private void PrintIntro(DemoNetwork net)
    {
        output.WriteLine("petrel demo: two sites, one IKEv2/ESP tunnel, all in network namespaces on this machine");
        output.WriteLine();
        output.WriteLine($"  {net.A.Label} ({net.A.Namespace})                  {net.B.Label} ({net.B.Namespace})");
        output.WriteLine($"  lan0 {net.A.Lan}/24                         lan0 {net.B.Lan}/24");
        output.WriteLine($"  eth0 {net.A.Outer} ======= veth ======= eth0 {net.B.Outer}");
        output.WriteLine("  IKE aes128gcm16-prfsha256-ecp256, ESP aes128gcm16 in UDP 4500, PSK made for this run");
        output.WriteLine();
    }

    private void Step(string what)
    {
        _step++;
        output.Write($"[{_step}/{Steps}] {what} ... ");
    }

    private void Ok(string? detail = null) => output.WriteLine(detail is null ? "ok" : $"ok ({detail})");

    private static string PingSummary(string pingOutput)
    {
        // iputils prints "5 packets transmitted, 5 received, 0% packet loss" and "rtt min/avg/max/mdev = …".
        var lines = pingOutput.Split('\n');
        var counts = lines.FirstOrDefault(l => l.Contains("packets transmitted", StringComparison.Ordinal))?.Trim() ?? "";
        var rtt = lines.FirstOrDefault(l => l.StartsWith("rtt", StringComparison.Ordinal))?.Trim() ?? "";
        return string.Join("; ", new[] { counts, rtt }.Where(s => s.Length > 0));
    }

    private static bool IsRoot() => Geteuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
