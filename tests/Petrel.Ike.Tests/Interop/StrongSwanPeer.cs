using System.Diagnostics;
using System.Net;

namespace Petrel.Ike.Tests.Interop;

/// <summary>
/// strongSwan 5.9 (charon with kernel-libipsec) in its own network namespace "eng-sw…", joined by a veth
/// pair to the root namespace: root side 172.31.77.1/24, namespace side 172.31.77.2/24. charon gets a
/// generated strongswan.conf, a private /run (it hard-codes its pid file) and its own vici socket.
/// Everything is removed on Dispose; processes are ended by PID only.
/// </summary>
internal sealed class StrongSwanPeer : IDisposable
{
    public static readonly IPAddress HostAddress = IPAddress.Parse("172.31.77.1");
    public static readonly IPAddress PeerAddress = IPAddress.Parse("172.31.77.2");

    private static readonly string[] Plugins =
        ["random", "nonce", "openssl", "aes", "sha1", "sha2", "hmac", "gcm", "chapoly", "curve25519", "gmp", "pem", "pkcs1", "pkcs8", "x509", "pubkey",
         "constraints", "revocation",
         "kdf", "kernel-libipsec", "kernel-netlink", "socket-default", "vici", "updown"];

    private readonly string _dir;
    private int _charonPid;
    private bool _linkCreated;

    public string Namespace { get; }
    public string HostVeth { get; }
    public string LogPath => Path.Combine(_dir, "charon.log");

    /// <summary>Where swanctl.conf is written; swanctl --file reads x509/, x509ca/, private/ … beside it.</summary>
    public string ConfigDirectory => _dir;
    private string Conf => Path.Combine(_dir, "strongswan.conf");

    public StrongSwanPeer()
    {
        Namespace = $"eng-sw{Environment.ProcessId % 10000}";
        HostVeth = $"eng-h{Environment.ProcessId % 10000}";
        _dir = Directory.CreateTempSubdirectory("eng-interop-").FullName;
        try
        {
            CreateNetwork();
            StartCharon();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void CreateNetwork()
    {
        // Leftovers of a crashed earlier run with the same name would make "add" fail.
        Shell.Run("ip", ["netns", "del", Namespace]);
        Shell.Run("ip", ["link", "del", HostVeth]);
        Shell.Must("ip", "netns", "add", Namespace);
        Shell.Must("ip", "link", "add", HostVeth, "type", "veth", "peer", "name", "eng-p0", "netns", Namespace);
        _linkCreated = true;
        Shell.Must("ip", "addr", "add", $"{HostAddress}/24", "dev", HostVeth);
        Shell.Must("ip", "link", "set", HostVeth, "up");
        Shell.Must("ip", "-n", Namespace, "link", "set", "lo", "up");
        Shell.Must("ip", "-n", Namespace, "link", "set", "eng-p0", "name", "eth0");
        Shell.Must("ip", "-n", Namespace, "addr", "add", $"{PeerAddress}/24", "dev", "eth0");
        Shell.Must("ip", "-n", Namespace, "link", "set", "eth0", "up");
        // The protected subnet: a veth stub (no dummy driver on this kernel).
        Shell.Must("ip", "-n", Namespace, "link", "add", "lan0", "type", "veth", "peer", "name", "lan1");
        Shell.Must("ip", "-n", Namespace, "addr", "add", "10.2.0.1/24", "dev", "lan0");
        // charon installs a route per policy and needs a source address of each family inside local_ts.
        Shell.Must("ip", "-n", Namespace, "-6", "addr", "add", "2001:db8:2::1/64", "dev", "lan0", "nodad");
        Shell.Must("ip", "-n", Namespace, "link", "set", "lan0", "up");
        Shell.Must("ip", "-n", Namespace, "link", "set", "lan1", "up");
    }

    private void StartCharon()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "run"));
        File.WriteAllText(Conf, $$"""
            charon {
              load_modular = no
              load = {{string.Join(' ', Plugins.Where(p => File.Exists($"/usr/lib/ipsec/plugins/libstrongswan-{p}.so")))}}
              install_routes = yes
              retransmit_timeout = 2
              plugins {
                vici { socket = unix://{{_dir}}/charon.vici }
                kernel-libipsec { load = yes }
              }
              syslog { daemon { default = -1 } }
              filelog {
                eng {
                  path = {{LogPath}}
                  time_format = %H:%M:%S
                  ike_name = yes
                  flush_line = yes
                  default = 1
                  ike = 2
                  cfg = 2
                }
              }
            }
            swanctl { socket = unix://{{_dir}}/charon.vici }
            """);
        var env = new Dictionary<string, string> { ["STRONGSWAN_CONF"] = Conf };
        // A private mount namespace gives charon its own /run (it writes /run/charon.pid there).
        using var launcher = Shell.Start("setsid", ["ip", "netns", "exec", Namespace, "unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
            "mount --bind \"$0\" /run && exec \"$1\"", Path.Combine(_dir, "run"), RootFactAttribute.Charon], env);
        var pidFile = Path.Combine(_dir, "run", "charon.pid");
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (_charonPid == 0 && File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
                _charonPid = pid;
            if (_charonPid != 0 && Swanctl("--stats").Code == 0) return;
            if (launcher.HasExited && _charonPid == 0) break;
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"charon did not start in {Namespace}: {launcher.StandardError.ReadToEnd()} {TailLog()}");
    }

    public void Load(string swanctlConf)
    {
        var path = Path.Combine(_dir, "swanctl.conf");
        File.WriteAllText(path, swanctlConf);
        var (code, output) = Swanctl("--load-all", "--clear", "--file", path);
        if (code != 0) throw new InvalidOperationException($"swanctl --load-all failed: {output}");
    }

    public (int Code, string Output) Swanctl(params string[] args) =>
        Shell.Run("swanctl", args, new Dictionary<string, string> { ["STRONGSWAN_CONF"] = Conf });

    public Process StartSwanctl(params string[] args) =>
        Shell.Start("swanctl", args, new Dictionary<string, string> { ["STRONGSWAN_CONF"] = Conf });

    public string TailLog(int lines = 40)
    {
        try { return string.Join('\n', File.ReadAllLines(LogPath).TakeLast(lines)); }
        catch (IOException) { return "(no charon log)"; }
    }

    public void Dispose()
    {
        if (_charonPid != 0)
        {
            try
            {
                using var p = Process.GetProcessById(_charonPid);
                Shell.Run("kill", ["-TERM", _charonPid.ToString()]);
                if (!p.WaitForExit(5000)) p.Kill();
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
            _charonPid = 0;
        }
        if (_linkCreated) Shell.Run("ip", ["link", "del", HostVeth]);
        Shell.Run("ip", ["netns", "del", Namespace]);
        if (Environment.GetEnvironmentVariable("PETREL_KEEP_INTEROP") is null)
        {
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        }
    }
}
