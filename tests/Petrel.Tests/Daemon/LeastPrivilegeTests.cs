using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Petrel.Cli;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Platform.Privilege;
using Petrel.Tests.Config;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Daemon;

/// <summary>
/// Least privilege (issue 12): export-keys is opt-in and audited, the control socket checks who connects (SO_PEERCRED)
/// and gives a configured group the read-only commands only, a stale path is removed only when it is a socket, key
/// files never follow a link, and core dumps are off.
/// </summary>
public sealed class LeastPrivilegeTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"lp-{Guid.NewGuid():N}"[..11] + ".sock");
    private readonly CapturingLoggerFactory _logs = new();
    private PetrelDaemon? _daemon;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_daemon is not null) await _daemon.DisposeAsync();
        File.Delete(_socket);
        _dir.Dispose();
    }

    private async Task StartAsync(string petrelSection)
    {
        var config = Path.Combine(_dir.Path, "swanctl.conf");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "data", "ikev2-psk.left.swanctl.conf"), config);
        File.AppendAllText(config, "\npetrel {\n" + petrelSection + "\n}\n");
        _daemon = new PetrelDaemon(SwanctlLoader.Load(config), _socket, new FakePlatform(new FakeEngine()), _logs);
        await _daemon.StartAsync();
    }

    [Fact]
    public async Task Export_keys_is_refused_unless_configured()
    {
        await StartAsync("");
        Assert.Equal(0, ControlCli.Run(_socket, "up", "lab").Code);
        string dir = Path.Combine(_dir.Path, "ws");
        var (code, _, err) = ControlCli.Run(_socket, "export-keys", "--wireshark", dir);
        Assert.NotEqual(0, code);
        Assert.Contains("export-keys is off: set petrel { export_keys = yes } to allow it", err);
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFiles(dir).Any());
        Assert.Contains("control: export-keys refused", _logs.Text);
    }

    [Fact]
    public async Task Each_export_writes_an_audit_line_with_the_callers_uid()
    {
        await StartAsync("export_keys = yes");
        Assert.Equal(0, ControlCli.Run(_socket, "up", "lab").Code);
        var (code, _, err) = ControlCli.Run(_socket, "export-keys", "--wireshark", Path.Combine(_dir.Path, "ws"));
        Assert.True(code == 0, err);
        Assert.Matches($@"export-keys: keys of 1 IKE SA\(s\) and \d+ ESP SA direction\(s\) given to uid {UnixAccounts.EffectiveUid} \(pid {Environment.ProcessId}\)", _logs.Text);
    }

    [Fact]
    public void Settings_load_and_an_unknown_group_is_refused_with_file_and_line()
    {
        var d = SwanctlLoader.LoadText("petrel {\n  export_keys = yes\n  socket_group = 0\n}\n").Daemon;
        Assert.True(d.ExportKeys);
        Assert.Equal("0", d.SocketGroup);
        Assert.False(SwanctlLoader.LoadText("petrel {\n}\n").Daemon.ExportKeys);
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("petrel {\n  socket_group = no-such-group-petrel\n}\n"));
        Assert.Contains("swanctl.conf:2", e.Message);
        Assert.Contains("'no-such-group-petrel' is not a group of this system", e.Message);
    }

    [Fact]
    public void User_names_an_unprivileged_user_of_this_system_or_is_refused_with_file_and_line()
    {
        Assert.Equal("nobody", SwanctlLoader.LoadText("petrel {\n  user = nobody\n}\n").Daemon.User);
        Assert.Null(SwanctlLoader.LoadText("petrel {\n}\n").Daemon.User);
        Assert.Equal((65534u, 65534u), UnixAccounts.User("nobody"));
        Assert.Null(UnixAccounts.User("no-such-user-petrel"));
        var unknown = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("petrel {\n  log_level = info\n  user = no-such-user-petrel\n}\n"));
        Assert.Contains("swanctl.conf:3", unknown.Message);
        Assert.Contains("'no-such-user-petrel' is not a user of this system", unknown.Message);
        var root = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("petrel {\n  user = root\n}\n"));
        Assert.Contains("swanctl.conf:2", root.Message);
        Assert.Contains("'root' is root: name an unprivileged user to drop root to", root.Message);
    }

    [Fact]
    public void Peer_credentials_name_the_connecting_process()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_socket));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(_socket));
        using var server = listener.Accept();
        var peer = PeerCredentials.Of(server);
        Assert.Equal(new PeerCredentials(Environment.ProcessId, UnixAccounts.EffectiveUid, Gid()), peer);
    }

    private static uint Gid() => uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Gid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]);

    [Theory]
    [InlineData(0u, 0u, "up", null)]
    [InlineData(1000u, 1000u, "up", null)]                 // the daemon's own user (OwnerUid 1000 below)
    [InlineData(2000u, 3000u, "list-sas", null)]           // member of the read-only group by its primary gid
    [InlineData(2000u, 4000u, "stats", null)]              // member through a supplementary group
    [InlineData(2000u, 3000u, "up", "uid 2000 may use only the read-only commands (version, list-sas, list-conns, list-pools, list-pols, stats, log), not 'up'")]
    [InlineData(2000u, 3000u, "export-keys", "uid 2000 may use only the read-only commands (version, list-sas, list-conns, list-pools, list-pols, stats, log), not 'export-keys'")]
    [InlineData(2001u, 5000u, "list-sas", "uid 2001 may not use the control socket")]
    [InlineData(0u, 0u, "export-keys", "export-keys is off: set petrel { export_keys = yes } to allow it")]
    public void Access_rules(uint uid, uint gid, string command, string? refusal)
    {
        var access = new ControlAccess(OwnerUid: 1000, ReadOnlyGid: 3000);
        IReadOnlyList<uint> Groups(int pid) => pid == 42 && gid == 4000 ? [3000u] : [];
        Assert.Equal(refusal, access.Refusal(new PeerCredentials(42, uid, gid), command, Groups));
        Assert.Equal("the control socket cannot tell who is calling (no SO_PEERCRED): refused", access.Refusal(null, "version"));
        Assert.Null((access with { ExportKeys = true }).Refusal(new PeerCredentials(1, 0, 0), "export-keys"));
    }

    /// <summary>Another user in socket_group may read state and nothing else; one outside the group may not connect at all.</summary>
    [RootFact]
    public async Task A_user_in_socket_group_gets_the_read_only_commands()
    {
        await StartAsync("socket_group = 65534");
        Assert.Equal("660", Convert.ToString((int)File.GetUnixFileMode(_socket), 8));
        string Ask(string groups, string command)
        {
            var r = CommandRunner.Run(["setpriv", "--reuid=65534", "--regid=" + groups.Split(',')[0], "--groups=" + groups, "/usr/bin/python3", "-c",
                "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b'\\n'); print(s.makefile().readline())",
                _socket, $$"""{"command":"{{command}}"}"""]);
            return r.StandardOutput + r.StandardError;
        }
        Assert.Contains("\"ok\":true", Ask("65534", "list-sas").Replace(" ", ""));
        Assert.Contains("uid 65534 may use only the read-only commands", Ask("65534", "up"));
        // Outside the group the socket file's mode (0660, group 65534) already stops it.
        Assert.Contains("Permission denied", Ask("12345", "list-sas"));
    }

    [Fact]
    public void A_stale_path_is_removed_only_when_it_is_a_socket()
    {
        File.WriteAllText(_socket, "not a socket");
        var e = Assert.Throws<IOException>(() => UnixSocketListener.Bind(_socket, "control socket").Dispose());
        Assert.Equal($"{_socket} exists and is not a socket: not removed, choose another path or remove it", e.Message);
        Assert.Equal("not a socket", File.ReadAllText(_socket));
        File.Delete(_socket);

        var target = _dir.Write("precious", "keep me");
        File.CreateSymbolicLink(_socket, target);
        Assert.Throws<IOException>(() => UnixSocketListener.Bind(_socket, "control socket").Dispose());
        Assert.Equal("keep me", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(_socket).LinkTarget);
        File.Delete(_socket);

        // A socket left by a dead daemon is replaced.
        // (Bound, never listening: connecting is refused as with a dead daemon; .NET would unlink the file on Dispose.)
        using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        dead.Bind(new UnixDomainSocketEndPoint(_socket));
        Assert.True(FileKinds.IsSocket(_socket));
        using var live = UnixSocketListener.Bind(_socket, "control socket");
        Assert.True(FileKinds.IsSocket(_socket));
    }

    [Fact]
    public void Key_files_replace_a_link_instead_of_following_it_and_are_0600()
    {
        var victim = _dir.Write("victim", "untouched");
        var path = Path.Combine(_dir.Path, "esp_sa");
        File.CreateSymbolicLink(path, victim);
        WiresharkKeyWriter.WritePrivate(path, "secret rows\n");
        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal("secret rows\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["esp_sa", "victim"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Core_dumps_can_be_switched_off()
    {
        // Other tests in this process may have run DaemonRunner.Run, which switches them off: start from "on".
        bool before = ProcessPrivileges.IsDumpable;
        ProcessPrivileges.EnableCoreDumps();
        Assert.True(ProcessPrivileges.IsDumpable);
        ProcessPrivileges.DisableCoreDumps();
        Assert.False(ProcessPrivileges.IsDumpable);
        if (before) ProcessPrivileges.EnableCoreDumps();
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider, ILogger
    {
        private readonly List<string> _lines = [];
        public string Text { get { lock (_lines) return string.Join("\n", _lines); } }
        public void AddProvider(ILoggerProvider provider) { }
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
