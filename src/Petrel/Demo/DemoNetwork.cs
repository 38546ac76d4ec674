namespace Petrel.Demo;

/// <summary>
/// The demo's two namespaces, joined by a veth pair ("the internet" between the sites), each with
/// a lan0 veth stub holding its protected subnet. No default routes: nothing leaves the demo.
/// </summary>
internal sealed class DemoNetwork
{
    private readonly TextWriter _log;

    public DemoSite A { get; }
    public DemoSite B { get; }

    public DemoNetwork(string workDir, TextWriter log)
    {
        _log = log;
        A = new DemoSite("site A", DemoOptions.NamespaceA, "site-a", "198.18.0.1", "10.1.0.1", "10.1.0.0/24", Path.Combine(workDir, "a"));
        B = new DemoSite("site B", DemoOptions.NamespaceB, "site-b", "198.18.0.2", "10.2.0.1", "10.2.0.0/24", Path.Combine(workDir, "b"));
    }

    public static bool Exists(string ns) => File.Exists("/run/netns/" + ns);

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        await IpAsync(cancellationToken, "netns", "add", A.Namespace).ConfigureAwait(false);
        await IpAsync(cancellationToken, "netns", "add", B.Namespace).ConfigureAwait(false);
        await IpAsync(cancellationToken, "-n", A.Namespace, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", B.Namespace).ConfigureAwait(false);
        foreach (var site in new[] { A, B })
        {
            var ns = site.Namespace;
            await IpAsync(cancellationToken, "-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
            await IpAsync(cancellationToken, "-n", ns, "addr", "add", site.Outer + "/24", "dev", "eth0").ConfigureAwait(false);
            await IpAsync(cancellationToken, "-n", ns, "link", "set", "eth0", "up").ConfigureAwait(false);
            // A veth stub rather than a dummy interface: not every kernel has the dummy driver.
            await IpAsync(cancellationToken, "-n", ns, "link", "add", "lan0", "type", "veth", "peer", "name", "lan0p").ConfigureAwait(false);
            await IpAsync(cancellationToken, "-n", ns, "addr", "add", site.Lan + "/24", "dev", "lan0").ConfigureAwait(false);
            await IpAsync(cancellationToken, "-n", ns, "link", "set", "lan0p", "up").ConfigureAwait(false);
            await IpAsync(cancellationToken, "-n", ns, "link", "set", "lan0", "up").ConfigureAwait(false);
        }
    }

    /// <summary>Deletes both namespaces if they exist; errors are reported, not thrown.</summary>
    public void Delete()
    {
        foreach (var ns in new[] { A.Namespace, B.Namespace })
        {
            if (!Exists(ns)) continue;
            var r = DemoProcess.RunAsync(["ip", "netns", "del", ns], TimeSpan.FromSeconds(15), CancellationToken.None).GetAwaiter().GetResult();
            if (!r.Ok) _log.WriteLine($"petrel demo: could not delete namespace {ns}: {r.Output.Trim()}");
        }
    }

    private static async Task IpAsync(CancellationToken cancellationToken, params string[] args)
    {
        var r = await DemoProcess.RunAsync(["ip", .. args], TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
        if (!r.Ok) throw new DemoStepException($"ip {string.Join(' ', args)} failed: {r.Output.Trim()}");
    }
}
