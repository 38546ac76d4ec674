using System.Diagnostics;
using System.Net;

namespace Petrel.Daemon;

/// <summary>
/// DNS servers assigned to us with a virtual IP, handed to the host's resolver as strongSwan's resolve plugin does:
/// through resolvconf(8) when it is installed (the servers of all SAs as one record, interface "lo.petrel"), else as
/// "nameserver X   # by Petrel" lines at the top of /etc/resolv.conf (inside a network namespace, `ip netns exec`
/// puts /etc/netns/NAME/resolv.conf there), removed again when the SA goes. A server two SAs assigned stays until both
/// are gone. Engine thread.
/// </summary>
public sealed class ResolverDns(string resolvConf = "/etc/resolv.conf", string? resolvconfTool = null)
{
    public const string Interface = "lo.petrel", Marker = "# by Petrel";

    private readonly Dictionary<IPAddress, int> _servers = [];
    private readonly string? _tool = resolvconfTool ?? Find("resolvconf");

    /// <summary>Adds the servers; returns where they went.</summary>
    public string Add(IReadOnlyList<IPAddress> servers)
    {
        foreach (var s in servers) _servers[s] = _servers.GetValueOrDefault(s) + 1;
        Apply();
        return _tool is null ? $"in {resolvConf}" : $"with resolvconf as {Interface}";
    }

    public void Remove(IReadOnlyList<IPAddress> servers)
    {
        foreach (var s in servers)
        {
            if (!_servers.TryGetValue(s, out int n)) continue;
            if (n <= 1) _servers.Remove(s);
            else _servers[s] = n - 1;
        }
        Apply();
    }

    private void Apply()
    {
        var lines = _servers.Keys.Select(s => $"nameserver {s}").ToList();
        if (_tool is not null)
        {
            RunResolvconf(lines.Count == 0 ? ["-d", Interface, "-f"] : ["-a", Interface], string.Join('\n', lines) + "\n");
            return;
        }
        var kept = File.Exists(resolvConf) ? File.ReadAllLines(resolvConf).Where(l => !l.EndsWith(Marker, StringComparison.Ordinal)) : [];
        var text = lines.Select(l => $"{l}   {Marker}").Concat(kept);
        // Written in place (not renamed over): the file may be a bind mount, as /etc/netns/NAME/resolv.conf is.
        File.WriteAllText(resolvConf, string.Join('\n', text) + "\n");
    }

    private void RunResolvconf(string[] args, string input)
    {
        var psi = new ProcessStartInfo(_tool!) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("resolvconf did not start");
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        string error = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(5000)) throw new InvalidOperationException("resolvconf did not finish within 5 s");
        if (p.ExitCode != 0) throw new InvalidOperationException($"resolvconf {string.Join(' ', args)} failed ({p.ExitCode}): {error.Trim()}");
    }

    private static string? Find(string name) =>
        new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
