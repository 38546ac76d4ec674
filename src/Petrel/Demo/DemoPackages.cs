namespace Petrel.Demo;

/// <summary>Installs the few Debian packages the demo uses (iproute2, ping), and only when missing.</summary>
internal static class DemoPackages
{
    private static readonly (string Tool, string Package)[] Needed = [("ip", "iproute2"), ("ping", "iputils-ping")];

    public static async Task EnsureAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var missing = Needed.Where(n => FindOnPath(n.Tool) is null).Select(n => n.Package).ToArray();
        if (missing.Length == 0) return;
        if (FindOnPath("apt-get") is null)
            throw new DemoStepException($"missing {string.Join(", ", missing)} and no apt-get to install them");
        output.WriteLine($"  installing {string.Join(' ', missing)} with apt-get …");
        var install = new List<string> { "apt-get", "install", "-y", "--no-install-recommends" };
        install.AddRange(missing);
        var r = await DemoProcess.RunAsync(install, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        if (!r.Ok)
        {
            // A fresh machine may have no package lists yet.
            await DemoProcess.RunAsync(["apt-get", "update"], TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            r = await DemoProcess.RunAsync(install, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            if (!r.Ok) throw new DemoStepException($"apt-get install {string.Join(' ', missing)} failed: {Last(r.Output)}");
        }
    }

    public static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':').Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string Last(string s)
    {
        var lines = s.Trim().Split('\n');
        return lines.Length == 0 ? "" : lines[^1];
    }
}
