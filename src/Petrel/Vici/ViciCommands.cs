using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Ike.Certificates;

namespace Petrel.Vici;

/// <summary>
/// The vici commands Petrel answers, with the keys strongSwan's charon uses in its replies and events
/// (src/libcharon/plugins/vici: vici_query.c, vici_control.c, vici_config.c, vici_cred.c), so swanctl
/// prints them unchanged. Engine state is read and changed on the engine thread through
/// <see cref="EngineLoop"/>. Split by concern: listings, control (initiate, terminate, rekey) and
/// loading (connections, credentials, authorities, pools), operations (install, reload-settings, …) and counters.
/// </summary>
public sealed partial class ViciCommands
{
    private readonly EngineLoop _loop;
    private readonly ViciStore _store;
    private readonly Func<Task<string?>> _apply;
    private readonly Func<CertificateStore?> _credentials;
    private readonly string _configDirectory;
    private readonly VirtualInterfaceSet _interfaces;
    private readonly ILogger _log;
    private readonly DateTime _started = DateTime.Now;
    private readonly Dictionary<string, Func<ViciRequest, Task<ViciWriter>>> _commands;
    /// <summary>Loading changes the store and then the engine's configuration: one at a time, so two clients' loads cannot interleave.</summary>
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <param name="apply">Loads the file's configuration merged with <paramref name="store"/> into the engine; null, or why it failed.</param>
    /// <param name="credentials">The certificate store the engine uses now (list-certs).</param>
    /// <param name="configDirectory">The config file's directory (relative names in a loaded connection resolve against it, as in the file).</param>
    /// <param name="interfaces">The route-based interfaces opened at start: a loaded child's if_id must name one.</param>
    public ViciCommands(EngineLoop loop, ViciStore store, Func<Task<string?>> apply, Func<CertificateStore?> credentials,
        string configDirectory, VirtualInterfaceSet interfaces, ILogger log)
    {
        _loop = loop;
        _store = store;
        _apply = apply;
        _credentials = credentials;
        _configDirectory = configDirectory;
        _interfaces = interfaces;
        _log = log;
        _commands = new(StringComparer.Ordinal)
        {
            ["version"] = Version,
            ["stats"] = StatsAsync,
            ["list-sas"] = ListSasAsync,
            ["list-conns"] = ListConnsAsync,
            ["list-policies"] = ListPoliciesAsync,
            ["list-certs"] = ListCertsAsync,
            ["list-authorities"] = ListAuthoritiesAsync,
            ["get-authorities"] = r => Task.FromResult(Names("authorities", _store.AuthorityNames)),
            ["initiate"] = InitiateAsync,
            ["terminate"] = TerminateAsync,
            ["rekey"] = RekeyAsync,
            ["load-conn"] = LoadConnAsync,
            ["unload-conn"] = UnloadConnAsync,
            ["get-conns"] = r => Task.FromResult(Names("conns", _store.ConnectionNames)),
            ["load-shared"] = LoadSharedAsync,
            ["unload-shared"] = UnloadSharedAsync,
            ["get-shared"] = r => Task.FromResult(Names("keys", _store.SecretIds)),
            ["load-cert"] = LoadCertAsync,
            ["load-key"] = LoadKeyAsync,
            ["unload-key"] = UnloadKeyAsync,
            ["get-keys"] = r => Task.FromResult(Names("keys", _store.KeyIds)),
            ["clear-creds"] = ClearCredsAsync,
            ["load-authority"] = LoadAuthorityAsync,
            ["unload-authority"] = UnloadAuthorityAsync,
            ["get-pools"] = GetPoolsAsync,
            ["load-pool"] = LoadPoolAsync,
            ["unload-pool"] = UnloadPoolAsync,
            ["get-algorithms"] = GetAlgorithmsAsync,
            ["get-counters"] = GetCountersAsync,
            ["reset-counters"] = ResetCountersAsync,
            ["install"] = InstallAsync,
            ["uninstall"] = UninstallAsync,
            ["redirect"] = RedirectAsync,
            ["reload-settings"] = ReloadSettingsAsync,
            ["flush-certs"] = FlushCertsAsync,
            ["load-token"] = LoadTokenAsync,
        };
    }

    public Func<ViciRequest, Task<ViciWriter>>? Find(string command) => _commands.GetValueOrDefault(command);

    private static ViciWriter Success() => new ViciWriter().Add("success", true);

    private static ViciWriter Failure(string error) => new ViciWriter().Add("success", false).Add("errmsg", error);

    private static ViciWriter Names(string list, IEnumerable<string> names) => new ViciWriter().List(list, names);

    private Task<ViciWriter> Version(ViciRequest request)
    {
        var w = new ViciWriter()
            .Add("daemon", "petrel")
            .Add("version", PetrelVersion.Text)
            .Add("sysname", RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "Linux" : RuntimeInformation.OSDescription)
            .Add("release", KernelRelease())
            .Add("machine", RuntimeInformation.OSArchitecture switch
            {
                Architecture.X64 => "x86_64",
                Architecture.Arm64 => "aarch64",
                var other => other.ToString().ToLowerInvariant(),
            });
        return Task.FromResult(w);
    }

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Environment.OSVersion.Version.ToString();
        }
    }

    /// <summary>
    /// charon's stats, with what Petrel has: one engine thread does the IKE work (charon's worker pool; it is
    /// busy answering this request), the IKE datagrams queued for it are its job queue, and the SA counts.
    /// Petrel has no plugins; the list is empty.
    /// </summary>
    private async Task<ViciWriter> StatsAsync(ViciRequest request)
    {
        var sas = await _loop.InvokeAsync(e => e.ListSas()).ConfigureAwait(false);
        int halfOpen = 0;
        foreach (var sa in sas)
            if (sa.State is "CREATED" or "CONNECTING") halfOpen++;
        var running = DateTime.Now - _started;
        var w = new ViciWriter()
            .BeginSection("uptime")
            .Add("running", Uptime(running))
            .Add("since", _started.ToString("MMM dd HH:mm:ss yyyy", System.Globalization.CultureInfo.InvariantCulture))
            .EndSection()
            .BeginSection("workers")
            .Add("total", 1)
            .Add("idle", 0)
            .BeginSection("active").Add("critical", 0).Add("high", 0).Add("medium", 1).Add("low", 0).EndSection()
            .EndSection()
            .BeginSection("queues").Add("critical", 0).Add("high", 0).Add("medium", _loop.Ingress.Queued).Add("low", 0).EndSection()
            .Add("scheduled", 0)
            .BeginSection("ikesas").Add("total", sas.Count).Add("half-open", halfOpen).EndSection()
            .BeginList("plugins").EndList();
        return w;
    }

    /// <summary>charon's "5 minutes" / "2 days" form.</summary>
    private static string Uptime(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays} day{((int)t.TotalDays == 1 ? "" : "s")}"
        : t.TotalHours >= 1 ? $"{(int)t.TotalHours} hour{((int)t.TotalHours == 1 ? "" : "s")}"
        : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} minute{((int)t.TotalMinutes == 1 ? "" : "s")}"
        : $"{(int)t.TotalSeconds} second{((int)t.TotalSeconds == 1 ? "" : "s")}";
}
