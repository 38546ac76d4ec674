namespace Petrel.Tests.Harness;

/// <summary>
/// A Petrel daemon running inside one lab namespace (`ip netns exec NS dotnet petrel.dll daemon
/// --config … --socket …`), and the `petrel` CLI talking to it over its control socket.
/// </summary>
public sealed class PetrelPeer : IDisposable
{
    private readonly StartedProcess _daemon;

    public LabSite Site { get; }
    public string Dir { get; }
    public string ConfigPath => Path.Combine(Dir, "swanctl.conf");
    public string SocketPath => Path.Combine(Dir, "petrel.sock");
    public string LogPath => _daemon.LogPath;
    public int Pid => _daemon.Pid;

    private PetrelPeer(LabSite site, string dir, StartedProcess daemon)
    {
        Site = site;
        Dir = dir;
        _daemon = daemon;
    }

    /// <summary>
    /// Starts the daemon with <paramref name="swanctlConf"/> and waits until its control socket answers;
    /// <paramref name="credentials"/> (x509/, x509ca/, x509crl/, private/) are copied beside the config first.
    /// </summary>
    public static PetrelPeer Start(NamespacePair lab, LabSite site, string swanctlConf, string? credentials = null)
    {
        var dir = Path.Combine(site.WorkDir, "petrel");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "swanctl.conf"), WithExport(swanctlConf));
        if (credentials is not null) LabPki.CopyCredentials(credentials, dir);
        File.Delete(Path.Combine(site.WorkDir, "petrel.log"));
        var daemon = lab.Start(site, "petrel.log",
            [.. PetrelExecutable.Command, "daemon", "--config", Path.Combine(dir, "swanctl.conf"), "--socket", Path.Combine(dir, "petrel.sock")]);
        var peer = new PetrelPeer(site, dir, daemon);
        try
        {
            peer.WaitUntilReady();
            return peer;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_daemon.HasExited)
                throw new InvalidOperationException($"petrel daemon in {Site.Namespace} exited ({_daemon.ExitCode}) during startup:\n{_daemon.ReadLog()}");
            if (File.Exists(SocketPath) && Cli("list-sas", "--json").Succeeded)
                return;
            Thread.Sleep(200);
        }
        throw new TimeoutException($"petrel daemon in {Site.Namespace} did not answer on {SocketPath}:\n{_daemon.ReadLog()}");
    }

    /// <summary>Runs `petrel ARGS --socket SOCKET` (a client of this daemon).</summary>
    public CommandResult Cli(params string[] args) =>
        CommandRunner.Run([.. PetrelExecutable.Command, .. args, "--socket", SocketPath], TimeSpan.FromSeconds(60));

    public CommandResult Up(string connection, string child, int timeoutSeconds = 20) =>
        Cli("up", connection, "--child", child, "--timeout", timeoutSeconds.ToString());

    /// <summary>
    /// list-sas over the control socket: the same request and JSON as `petrel list-sas --json` (whose process
    /// start costs 1–2 s on 2 cores; the CLI itself is exercised by the readiness check above and the CLI tests).
    /// </summary>
    public PetrelSaListing ListSas() => ListSasOverSocket();

    /// <summary>list-sas asked over the control socket from this process (what the CLI sends), for tests that poll.</summary>
    public PetrelSaListing ListSasOverSocket()
    {
        var response = Petrel.Cli.ControlClient.SendAsync(SocketPath, new Petrel.Daemon.ControlRequest("list-sas"), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        if (!response.Ok) throw new InvalidOperationException($"list-sas failed: {response.Error}");
        return PetrelSaListing.Parse(response.Result?.ToJsonString() ?? "[]");
    }

    /// <summary>Replaces the config (and the credential folders, when given) and runs `petrel reload`.</summary>
    public void Reload(string swanctlConf, string? credentials = null)
    {
        File.WriteAllText(ConfigPath, WithExport(swanctlConf));
        if (credentials is not null) LabPki.CopyCredentials(credentials, Dir);
        Cli("reload").EnsureSuccess();
    }

    public CommandResult ExportKeys(string dir) => Cli("export-keys", "--wireshark", dir);

    /// <summary>The lab daemons allow export-keys (off by default) so captures can be decrypted; a second petrel section merges with the first.</summary>
    private static string WithExport(string swanctlConf) =>
        swanctlConf.Contains("export_keys", StringComparison.Ordinal) ? swanctlConf : swanctlConf + "\npetrel {\n  export_keys = yes\n}\n";

    public bool HasExited => _daemon.HasExited;

    public int? ExitCode => _daemon.ExitCode;

    public bool WaitForExit(TimeSpan timeout) => _daemon.WaitForExit(timeout);

    public string Log() => _daemon.ReadLog();

    public string Diagnostics()
    {
        var log = _daemon.ReadLog();
        if (log.Length > 8000) log = "…" + log[^8000..];
        return $"== Petrel {Site.Namespace} (pid {Pid}{(_daemon.HasExited ? $", exited {_daemon.ExitCode}" : "")}) log tail:\n{log}";
    }

    public void Dispose() => _daemon.Dispose();
}
