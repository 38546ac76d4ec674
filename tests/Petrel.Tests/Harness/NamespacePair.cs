namespace Petrel.Tests.Harness;

/// <summary>
/// Two network namespaces joined by a veth pair, each with a protected subnet on a lan0 stub:
/// <code>
///  PREFIX-l  lan0 10.1.0.1/24 2001:db8:1::1/64        PREFIX-r  lan0 10.2.0.1/24 2001:db8:2::1/64
///            eth0 198.18.0.1/24 2001:db8:18::1/64 ==== eth0 198.18.0.2/24 2001:db8:18::2/64
/// </code>
/// Neither namespace has a default route, so nothing leaves the lab. The prefix is unique per
/// test class so classes can run in parallel. Dispose ends every process it started and deletes
/// both namespaces, also after a failed test.
/// </summary>
public sealed class NamespacePair : IDisposable
{
    private readonly List<StartedProcess> _processes = [];
    private bool _disposed;

    public LabSite Left { get; }
    public LabSite Right { get; }
    public string WorkDir { get; }
    public string Prefix { get; }

    private NamespacePair(string prefix, string workDir)
    {
        Prefix = prefix;
        WorkDir = workDir;
        Left = new LabSite("left", prefix + "-l", "198.18.0.1", "2001:db8:18::1", "10.1.0.1", "2001:db8:1::1",
            "10.1.0.0/24", "2001:db8:1::/64", Path.Combine(workDir, "left"));
        Right = new LabSite("right", prefix + "-r", "198.18.0.2", "2001:db8:18::2", "10.2.0.1", "2001:db8:2::1",
            "10.2.0.0/24", "2001:db8:2::/64", Path.Combine(workDir, "right"));
    }

    /// <summary>
    /// Creates the pair. <paramref name="tag"/> (a few letters naming the test class) plus the
    /// test process's PID make the prefix; namespace names stay under 15 characters.
    /// </summary>
    public static NamespacePair Create(string tag)
    {
        LabRequirements.EnsureReady();
        var prefix = $"pe{tag}{Environment.ProcessId % 100000}";
        var work = Path.Combine(Path.GetTempPath(), "petrel-e2e", prefix);
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        var pair = new NamespacePair(prefix, work);
        try
        {
            Directory.CreateDirectory(pair.Left.WorkDir);
            Directory.CreateDirectory(pair.Right.WorkDir);
            pair.Build();
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    private void Build()
    {
        // A leftover pair from a crashed earlier run with the same PID suffix is removed first.
        DeleteNamespace(Left.Namespace);
        DeleteNamespace(Right.Namespace);
        Ip("netns", "add", Left.Namespace);
        Ip("netns", "add", Right.Namespace);
        // Each namespace gets its own resolv.conf (`ip netns exec` mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf):
        // a client handing assigned DNS servers to the resolver (strongSwan's resolve plugin, Petrel's vips) must never
        // write the host's file.
        foreach (var ns in new[] { Left.Namespace, Right.Namespace })
        {
            Directory.CreateDirectory(Path.Combine("/etc/netns", ns));
            File.WriteAllText(ResolvConf(ns), "# lab namespace " + ns + "\n");
        }
        Ip("-n", Left.Namespace, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", Right.Namespace);
        foreach (var site in new[] { Left, Right })
        {
            var ns = site.Namespace;
            Ip("-n", ns, "link", "set", "lo", "up");
            Ip("-n", ns, "addr", "add", site.OuterV4 + "/24", "dev", "eth0");
            Ip("-n", ns, "-6", "addr", "add", site.OuterV6 + "/64", "dev", "eth0", "nodad");
            Ip("-n", ns, "link", "set", "eth0", "up");
            Ip("-n", ns, "link", "add", "lan0", "type", "veth", "peer", "name", "lan0p");
            Ip("-n", ns, "addr", "add", site.LanV4 + "/24", "dev", "lan0");
            Ip("-n", ns, "-6", "addr", "add", site.LanV6 + "/64", "dev", "lan0", "nodad");
            Ip("-n", ns, "link", "set", "lan0p", "up");
            Ip("-n", ns, "link", "set", "lan0", "up");
        }
        Exec(Left, "ping", "-c1", "-W2", Right.OuterV4).EnsureSuccess();
    }

    private static void Ip(params string[] args) =>
        CommandRunner.Run(["ip", .. args], TimeSpan.FromSeconds(20)).EnsureSuccess();

    private static void DeleteNamespace(string ns)
    {
        if (File.Exists("/run/netns/" + ns))
            CommandRunner.Run(["ip", "netns", "del", ns], TimeSpan.FromSeconds(20));
        if (Directory.Exists(Path.Combine("/etc/netns", ns)))
            Directory.Delete(Path.Combine("/etc/netns", ns), recursive: true);
    }

    /// <summary>The resolv.conf processes in namespace <paramref name="ns"/> see as /etc/resolv.conf.</summary>
    public static string ResolvConf(string ns) => Path.Combine("/etc/netns", ns, "resolv.conf");

    /// <summary>Runs a command inside the site's namespace and waits for it.</summary>
    public CommandResult Exec(LabSite site, params string[] argv) => Exec(site, TimeSpan.FromSeconds(60), argv);

    public CommandResult Exec(LabSite site, TimeSpan timeout, params string[] argv) =>
        CommandRunner.Run(["ip", "netns", "exec", site.Namespace, .. argv], timeout);

    /// <summary>Starts a long-running command inside the site's namespace; the pair stops it on Dispose.</summary>
    public StartedProcess Start(LabSite site, string logName, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment = null)
    {
        var p = StartedProcess.Start(["ip", "netns", "exec", site.Namespace, .. argv], Path.Combine(site.WorkDir, logName), environment);
        lock (_processes) _processes.Add(p);
        return p;
    }

    /// <summary>Pings the other site's protected address from this site's protected address.</summary>
    public CommandResult Ping(LabSite from, LabSite to, bool ipv6 = false, int count = 3, int size = 56)
    {
        var src = ipv6 ? from.LanV6 : from.LanV4;
        var dst = ipv6 ? to.LanV6 : to.LanV4;
        return Exec(from, TimeSpan.FromSeconds(30), "ping", ipv6 ? "-6" : "-4", "-c", count.ToString(), "-i", "0.2", "-W", "3",
            "-s", size.ToString(), "-I", src, dst);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        List<StartedProcess> started;
        lock (_processes) started = [.. _processes];
        foreach (var p in started)
        {
            try { p.Dispose(); } catch (Exception) { /* keep cleaning up */ }
        }
        DeleteNamespace(Left.Namespace);
        DeleteNamespace(Right.Namespace);
        // Logs stay for diagnosis; captures (megabytes each) go unless PETREL_E2E_KEEP=1.
        if (Environment.GetEnvironmentVariable("PETREL_E2E_KEEP") != "1")
        {
            foreach (var pcap in Directory.EnumerateFiles(WorkDir, "*.pcap", SearchOption.AllDirectories))
            {
                try { File.Delete(pcap); } catch (IOException) { }
            }
        }
    }
}
