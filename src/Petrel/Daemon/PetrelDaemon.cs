using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Certificates;
using Petrel.Ike.Sa;
using Petrel.Vici;

namespace Petrel.Daemon;

/// <summary>
/// The daemon: the configuration, the engine thread, the platform and the control socket, and
/// their order of start and stop. Hosting (signals, logging) is <see cref="DaemonService"/>'s job.
/// </summary>
public sealed class PetrelDaemon : IAsyncDisposable
{
    private readonly string _configPath;
    private readonly string _socketPath;
    private readonly IDaemonPlatform _platform;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private SwanctlConfig _config;
    /// <summary>The route-based interfaces opened at start; reload changes only their addresses.</summary>
    private Petrel.Config.VirtualInterfaceSet _interfaces;
    private TunnelInterfaceState? _interfaceState;
    private EngineLoop? _loop;
    private HttpCrlFetcher? _crlFetcher;
    private Petrel.Ike.Radius.RadiusService? _radius;
    private Petrel.Ike.Radius.RadiusDae? _dae;
    private CryptoWorkerPool? _cryptoPool;

    /// <summary>Crypto jobs that may wait for a worker; beyond it new IKE_SA_INIT work is shed (and counted).</summary>
    internal const int CryptoQueueCapacity = 1024;
    private ControlServer? _control;
    private ShuntPolicies? _shunts;
    private Petrel.Dashboard.DashboardServer? _dashboard;
    private bool _stopped;
    /// <summary>Connections, secrets and credentials loaded over vici, kept beside the file's (across reloads too).</summary>
    private readonly ViciStore _viciStore = new();
    private ViciServer? _vici;
    private ViciEventRelay? _viciEvents;
    /// <summary>What the engine runs now: the file's configuration merged with vici's.</summary>
    private SwanctlConfig _applied;
    private CertificateStore? _credentials;
    /// <summary>Reload and vici's loads replace the engine's configuration one at a time.</summary>
    private readonly SemaphoreSlim _applying = new(1, 1);

    /// <param name="config">The already loaded configuration (so startup errors are reported before logging starts).</param>
    /// <param name="socketPath">The control socket; null for the config's petrel.socket.</param>
    /// <param name="feed">The event feed the engine publishes into and `petrel log` reads; the runner shares it with the log provider.</param>
    public PetrelDaemon(SwanctlConfig config, string? socketPath, IDaemonPlatform platform, ILoggerFactory loggers, Events.EventHub? feed = null)
    {
        Feed = feed ?? new Events.EventHub();
        _config = config;
        _applied = config;
        _interfaces = config.Daemon.VirtualInterfaces;
        _configPath = config.Path;
        _socketPath = socketPath ?? config.Daemon.SocketPath;
        _platform = platform;
        _loggers = loggers;
        _log = loggers.CreateLogger<PetrelDaemon>();
    }

    public string SocketPath => _socketPath;

    /// <summary>Why the daemon must stop although nobody asked it to (its TUN device was deleted); null while healthy.</summary>
    public string? Failure { get; private set; }

    /// <summary>Asked to stop the process when <see cref="Failure"/> is set (the host's StopApplication).</summary>
    public Action? RequestStop { get; set; }

    private void OnPlatformFailed(string reason)
    {
        if (Failure is not null) return;
        Failure = reason;
        _log.LogCritical("{Reason}: no traffic can pass, exiting", reason);
        RequestStop?.Invoke();
    }
    public SwanctlConfig Config => _config;

    /// <summary>The dashboard's address once it listens (petrel.dashboard), else null.</summary>
    public System.Net.IPEndPoint? DashboardEndpoint => _dashboard?.BoundEndpoint;
    public EngineLoop Loop => _loop ?? throw new InvalidOperationException("the daemon is not started");

    /// <summary>The vici socket, when petrel.vici is set.</summary>
    public ViciServer? Vici => _vici;

    /// <summary>The configuration the engine runs: the file's, with the connections and secrets loaded over vici.</summary>
    public SwanctlConfig Applied => _applied;

    private SwanctlConfig Merge(SwanctlConfig file) =>
        file with { Connections = _viciStore.MergeConnections(file.Connections), Secrets = _viciStore.MergeSecrets(file.Secrets), Pools = _viciStore.MergePools(file.Pools) };

    /// <summary>The config directory's credentials with those loaded over vici.</summary>
    private CertificateStore LoadCredentials(SwanctlConfig config)
    {
        var store = CredentialLoader.Load(config);
        _viciStore.AddTo(store);
        return store;
    }

    /// <summary>SA events and live log lines (Events/EventHub); subscribe from any thread.</summary>
    public Events.EventHub Feed { get; }

    /// <summary>The data plane behind the engine (counters), null without one.</summary>
    public Petrel.DataPlane.Kernel.IIpsecKernel? Kernel => _platform.Kernel;

    public async Task StartAsync()
    {
        var engine = _platform.CreateEngine(_config.Daemon, _loggers);
        _loop = new EngineLoop(engine, _loggers.CreateLogger<EngineLoop>());
        _loop.Start();
        var credentials = LoadCredentials(_config);
        _credentials = credentials;
        var loop = _loop;
        _crlFetcher = new HttpCrlFetcher(_config.Daemon.FetchTimeout, action => loop.Post(_ => action()));
        var fetcher = _crlFetcher;
        _cryptoPool = new CryptoWorkerPool(Environment.ProcessorCount, CryptoQueueCapacity, action => loop.Post(_ => action()));
        var pool = _cryptoPool;
        var feed = Feed;
        if (_config.Daemon.Radius is { } radiusSettings)
            _radius = NewRadius(radiusSettings);
        var radius = _radius;
        await _loop.InvokeAsync(e => { e.UseEventFeed(feed.Publish); e.UseCrlFetcher(fetcher); e.UseCryptoExecutor(pool); if (radius is not null) e.UseRadius(radius); e.Load(_config.Connections, _config.Secrets, credentials); e.Pools?.Load(_config.Pools); return 0; }).ConfigureAwait(false);
        _log.LogInformation("loaded {Connections} connections and {Secrets} secrets from {Path}",
            _config.Connections.Count, _config.Secrets.Count, _configPath);
        _platform.Start(_loop, OnPlatformFailed);
        ApplyDae(_config.Daemon.Radius?.Dae);
        if (_platform.Links is { } links && _interfaces.Interfaces.Count > 0)
        {
            _interfaceState = new TunnelInterfaceState(_interfaces, links, _loop, Feed, _loggers.CreateLogger<TunnelInterfaceState>());
            _interfaceState.Start();
        }

        uint? group = _config.Daemon.SocketGroup is { } groupName
            ? Petrel.Platform.Privilege.UnixAccounts.GroupId(groupName) ?? throw new IOException($"socket_group '{groupName}' is not a group of this system")
            : null;
        var access = new ControlAccess(Petrel.Platform.Privilege.UnixAccounts.EffectiveUid, group, _config.Daemon.ExportKeys);
        var handler = new ControlHandler(_loop, ReloadAsync, _loggers.CreateLogger<ControlHandler>(), _platform.Kernel, _interfaces, access);
        _control = new ControlServer(_socketPath, handler, _loggers.CreateLogger<ControlServer>(), Feed, group);
        _control.Start();
        if (_config.Daemon.ViciPath is { } viciPath)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(_configPath)) ?? ".";
            var commands = new ViciCommands(_loop, _viciStore, ApplyViciAsync, () => _credentials, directory, _interfaces, _loggers.CreateLogger<ViciCommands>())
            {
                Reload = ReloadAsync,
                AppliedPools = () => _applied.Pools,
                PoliciesChanged = () => _interfaceState?.Refresh(),
            };
            _vici = new ViciServer(viciPath, commands, _loggers.CreateLogger<ViciServer>());
            _vici.Start();
            _viciEvents = new ViciEventRelay(_vici, Feed, _loop, _loggers.CreateLogger<ViciEventRelay>());
            _viciEvents.Start();
        }

        if (_config.Daemon.Dashboard is { } endpoint)
        {
            _dashboard = new Petrel.Dashboard.DashboardServer(endpoint, _config.Daemon.DashboardToken, _loop, Feed, _platform.Kernel, _interfaces,
                _loggers.CreateLogger<Petrel.Dashboard.DashboardServer>());
            await _dashboard.StartAsync().ConfigureAwait(false);
        }

        if (_platform.Kernel is { } kernel)
        {
            _shunts = new ShuntPolicies(kernel, _loggers.CreateLogger<ShuntPolicies>());
            _shunts.Apply(_config);
        }
        if (_config.Daemon.User is { } user)
            await DropPrivilegesAsync(user).ConfigureAwait(false);
        StartChildren(_config, previous: null);
    }

    /// <summary>
    /// petrel { user = … }: everything that needs root is open (sockets, TUN devices, keys, control and vici sockets),
    /// so the daemon becomes that user. The IKE thread, which installs routes and addresses and starts updown scripts,
    /// keeps CAP_NET_ADMIN and CAP_NET_RAW; every other thread keeps nothing.
    /// </summary>
    private async Task DropPrivilegesAsync(string user)
    {
        var account = Petrel.Platform.Privilege.UnixAccounts.User(user) ?? throw new DaemonStartException($"user '{user}' is not a user of this system");
        uint euid = Petrel.Platform.Privilege.UnixAccounts.EffectiveUid;
        if (euid == account.Uid)
            return;
        if (euid != 0)
            throw new DaemonStartException($"petrel {{ user = {user} }} needs the daemon to start as root (it runs as uid {euid})");
        int[] keep = [Petrel.Platform.Privilege.ProcessPrivileges.CapNetAdmin, Petrel.Platform.Privilege.ProcessPrivileges.CapNetRaw];
        try
        {
            await Loop.InvokeAsync(_ => { Petrel.Platform.Privilege.ProcessPrivileges.DropTo(account.Uid, account.Gid, keep); return 0; }).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new DaemonStartException($"cannot become user '{user}': {e.Message}", e);
        }
        _log.LogInformation("running as user {User} (uid {Uid}, gid {Gid}); the IKE thread keeps CAP_NET_ADMIN and CAP_NET_RAW, other threads no capabilities",
            user, account.Uid, account.Gid);
    }

    /// <summary>Initiates the children with start_action = start (those new since <paramref name="previous"/> on reload).</summary>
    private void StartChildren(SwanctlConfig config, SwanctlConfig? previous)
    {
        foreach (var c in config.Connections)
        {
            foreach (var child in c.Children)
            {
                if (child.StartAction != "start" || child.Mode is "pass" or "drop")
                    continue;
                if (previous is not null && ControlHandler.CheckNames(previous.Connections, c.Name, child.Name) is null)
                    continue;
                string name = c.Name, childName = child.Name;
                _log.LogInformation("start_action: initiating {Connection} child {Child}", name, childName);
                Loop.Post(e => e.Initiate(name, childName, r =>
                {
                    if (r.Success)
                        _log.LogInformation("start_action: {Connection} child {Child} is up (IKE SA {UniqueId})", name, childName, r.IkeSaId);
                    else
                        _log.LogWarning("start_action: {Connection} child {Child} failed: {Reason}", name, childName, r.Message);
                }));
            }
        }
    }

    private Petrel.Ike.Radius.RadiusService NewRadius(Petrel.Ike.Radius.RadiusSettings settings)
    {
        var loop = Loop;
        var service = new Petrel.Ike.Radius.RadiusService(NewRadiusClient(settings), action => loop.Post(_ => action()), _loggers.CreateLogger("Petrel.Radius"));
        _log.LogInformation("EAP-RADIUS: {Servers}{Accounting}", string.Join(", ", settings.ByPreference()), settings.Accounting ? ", accounting on" : "");
        return service;
    }

    private Petrel.Ike.Radius.RadiusClient NewRadiusClient(Petrel.Ike.Radius.RadiusSettings settings) =>
        new(settings, UdpRadiusTransport.Factory, _loggers.CreateLogger("Petrel.Radius"));

    /// <summary>
    /// Reload of petrel { eap-radius { } }: changed servers, secrets or timeouts replace the RADIUS client for new
    /// conversations and accounting records (those in progress finish on the old one); a new section starts RADIUS, a
    /// removed one stops it for new clients. Returns what changed, for the reload's answer ("" when nothing did).
    /// </summary>
    private async Task<string> ApplyRadiusAsync(Petrel.Ike.Radius.RadiusSettings? next)
    {
        var running = _radius;
        if (next is null)
        {
            if (running is null) return "";
            _radius = null;
            await Loop.InvokeAsync(e => { e.UseRadius(null); return 0; }).ConfigureAwait(false);
            _log.LogWarning("EAP-RADIUS removed by reload: no new RADIUS conversations; accounting of running sessions stops");
            _ = Task.Delay(running.RetireAfter).ContinueWith(_ => running.Dispose(), TaskScheduler.Default);
            return "; EAP-RADIUS removed";
        }
        if (running is null)
        {
            var created = NewRadius(next);
            _radius = created;
            await Loop.InvokeAsync(e => { e.UseRadius(created); return 0; }).ConfigureAwait(false);
            return "; EAP-RADIUS started";
        }
        if (next.SameAs(running.Settings)) return "";
        running.Replace(NewRadiusClient(next));
        _log.LogInformation("EAP-RADIUS settings reloaded: {Servers}{Accounting}; conversations in progress finish on the previous settings",
            string.Join(", ", next.ByPreference()), next.Accounting ? ", accounting on" : "");
        return "; EAP-RADIUS settings reloaded";
    }

    /// <summary>
    /// eap-radius dae { }: (re)starts the RFC 5176 listener when its settings changed, stops it when removed. A port
    /// that cannot be bound is logged and leaves DAE off; IKE goes on.
    /// </summary>
    private string ApplyDae(Petrel.Ike.Radius.RadiusDaeSettings? next)
    {
        if (next is null ? _dae is null : next.SameAs(_dae?.Settings)) return "";
        _dae?.Dispose();
        _dae = null;
        if (next is null) return "; RADIUS DAE stopped";
        var loop = Loop;
        var dae = new Petrel.Ike.Radius.RadiusDae(next, request => loop.InvokeAsync(e => e.ApplyDae(request)), _loggers.CreateLogger("Petrel.Radius.Dae"));
        try
        {
            dae.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            dae.Dispose();
            _log.LogError("RADIUS DAE cannot listen on {Endpoint}: {Error}", next.Listen, e.Message);
            return $"; RADIUS DAE cannot listen on {next.Listen}: {e.Message}";
        }
        _dae = dae;
        return $"; RADIUS DAE on {dae.LocalEndPoint}";
    }

    /// <summary>Re-reads the config file; on an error the running configuration stays as it was.</summary>
    public async Task<ControlResponse> ReloadAsync()
    {
        SwanctlConfig next;
        try
        {
            next = SwanctlLoader.Load(_configPath);
        }
        catch (ConfigException e)
        {
            _log.LogWarning("reload rejected, keeping the running configuration: {Error}", e.Message);
            return ControlResponse.Failure($"reload failed, the running configuration is unchanged: {e.Message}");
        }
        await _applying.WaitAsync().ConfigureAwait(false);
        SwanctlConfig previous, previousApplied, applied;
        string radiusChange;
        try
        {
            var credentials = LoadCredentials(next);
            applied = Merge(next);
            // RADIUS first: a connection newly using eap-radius finds its servers.
            radiusChange = await ApplyRadiusAsync(next.Daemon.Radius).ConfigureAwait(false) + ApplyDae(next.Daemon.Radius?.Dae);
            await Loop.InvokeAsync(e => { e.Load(applied.Connections, applied.Secrets, credentials); e.Pools?.Load(applied.Pools); return 0; }).ConfigureAwait(false);
            previous = _config;
            previousApplied = _applied;
            _config = next;
            _applied = applied;
            _credentials = credentials;
        }
        finally
        {
            _applying.Release();
        }
        _log.LogInformation("reloaded {Connections} connections and {Secrets} secrets from {Path}",
            next.Connections.Count, next.Secrets.Count, _configPath);
        if (next.Daemon with { Radius = null } != previous.Daemon with { Radius = null })
            _log.LogWarning("petrel {{ }} settings changed; they take effect when the daemon restarts");
        // The route-based TUN devices are opened once at start (DataPlaneHost): say which names and
        // ids stay as they are, so a renamed interface or a new if_id does not look applied.
        string interfaces = "";
        if (!next.Daemon.VirtualInterfaces.Equals(_interfaces) && (_interfaceState?.Reconfigure(next.Daemon.VirtualInterfaces) ?? false))
            _interfaces = next.Daemon.VirtualInterfaces;
        else if (!next.Daemon.VirtualInterfaces.Equals(_interfaces))
        {
            interfaces = $"; route-based interfaces stay {_interfaces} until the daemon restarts (the file now has {next.Daemon.VirtualInterfaces})";
            _log.LogWarning("route-based interfaces changed to {Next}; the daemon keeps {Running} until it restarts", next.Daemon.VirtualInterfaces, _interfaces);
        }
        _shunts?.Apply(applied);
        _interfaceState?.Refresh();
        StartChildren(applied, previousApplied);
        return ControlResponse.Success($"loaded {next.Connections.Count} connection(s) and {next.Secrets.Count} secret(s) from {_configPath}{radiusChange}{interfaces}");
    }

    /// <summary>
    /// After a vici load: the engine runs the file's configuration merged with vici's, as a reload does
    /// (SAs of unchanged connections stay, removed connections' SAs are deleted, new start_action = start
    /// children are initiated). Null, or why it failed.
    /// </summary>
    private async Task<string?> ApplyViciAsync()
    {
        await _applying.WaitAsync().ConfigureAwait(false);
        SwanctlConfig previous, applied;
        try
        {
            var credentials = LoadCredentials(_config);
            applied = Merge(_config);
            await Loop.InvokeAsync(e => { e.Load(applied.Connections, applied.Secrets, credentials); e.Pools?.Load(applied.Pools); return 0; }).ConfigureAwait(false);
            previous = _applied;
            _applied = applied;
            _credentials = credentials;
        }
        finally
        {
            _applying.Release();
        }
        _shunts?.Apply(applied);
        _interfaceState?.Refresh();
        StartChildren(applied, previous);
        return null;
    }

    /// <summary>
    /// Deletes every IKE SA (so peers learn at once, RFC 7296 §1.4.1) waiting at most
    /// <paramref name="bound"/>, then stops the control socket, the platform and the engine thread.
    /// </summary>
    public async Task StopAsync(TimeSpan bound)
    {
        if (_stopped)
            return;
        _stopped = true;
        if (_viciEvents is not null)
            await _viciEvents.DisposeAsync().ConfigureAwait(false);
        if (_vici is not null)
            await _vici.DisposeAsync().ConfigureAwait(false);
        if (_control is not null)
            await _control.DisposeAsync().ConfigureAwait(false);
        if (_dashboard is not null)
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                var names = await _loop.InvokeAsync(e =>
                {
                    var set = new List<string>();
                    foreach (var sa in e.ListSas())
                        if (!set.Contains(sa.Name)) set.Add(sa.Name);
                    return set;
                }).ConfigureAwait(false);
                var pending = new List<Task<InitiateResult>>();
                foreach (var name in names)
                {
                    _log.LogInformation("shutting down: deleting IKE SAs of {Connection}", name);
                    pending.Add(_loop.RunOperationAsync((e, done) => e.Terminate(name, null, done)));
                }
                if (pending.Count > 0)
                {
                    var all = Task.WhenAll(pending);
                    if (await Task.WhenAny(all, Task.Delay(bound)).ConfigureAwait(false) != all)
                        _log.LogWarning("shutting down: peers did not confirm the deletes within {Seconds} s", bound.TotalSeconds);
                }
            }
            catch (Exception e)
            {
                _log.LogWarning("shutting down: could not delete the SAs: {Error}", e.Message);
            }
        }
        if (_interfaceState is not null)
            await _interfaceState.DisposeAsync().ConfigureAwait(false);
        await _platform.DisposeAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.StopAsync().ConfigureAwait(false);
        _crlFetcher?.Dispose(); // after the loop: a fetch completing now posts into a stopped loop, which drops it
        _cryptoPool?.Dispose(); // likewise: a finished job posts into the stopped loop
        _dae?.Dispose();
        if (_radius is not null)
        {
            // The Stop records of the SAs deleted above go out before the sockets close.
            if (!_radius.Flush(TimeSpan.FromSeconds(5)))
                _log.LogWarning("shutting down: RADIUS accounting records still unacknowledged");
            _radius.Dispose();
        }
        _log.LogInformation("stopped");
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
}
