using System.Text.RegularExpressions;
using Petrel.TestSupport;

namespace Petrel.Tests.Harness;

/// <summary>
/// tests/packages.txt is the one list of what the tests need from Debian. Every executable the test
/// sources (and the demo) pass to a process launcher must be listed there, so that test.sh installs
/// it; test.sh's run-time check (tests/check-packages.sh) catches the ones built at run time.
/// </summary>
public partial class PackageListTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Petrel.slnx")))
                return dir.FullName;
        throw new DirectoryNotFoundException("no Petrel.slnx above " + AppContext.BaseDirectory);
    }

    /// <summary>Executable name → package ("-" for present on every Debian, "(sdk)" for the .NET SDK).</summary>
    private static Dictionary<string, string> PackageMap()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(Path.Combine(Root, "tests", "packages.txt")))
        {
            var words = raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || words[0].StartsWith('#'))
                continue;
            foreach (var exe in words.Skip(1))
                map[exe] = words[0];
        }
        return map;
    }

    // The first literal argument of a launcher: CommandRunner.Run("openssl", …), Shell.Must("ip", …), new ProcessStartInfo("openssl") …
    [GeneratedRegex(@"(?:CommandRunner\.Run|StartedProcess\.Start|Shell\.(?:Run|Must|Start|RunSplit)|DemoProcess\.(?:RunAsync|Start)|ProcessStartInfo|ExecutableLog\.Record)\(\s*\[?\s*""([^""]+)""")]
    private static partial Regex Launcher();

    // lab.Exec(site, "ping", …), lab.Exec(site, TimeSpan.FromSeconds(5), "python3", …), Exec(Site, ["ip", …]).
    [GeneratedRegex(@"\bExec\(\s*[\w.]+\s*,\s*(?:TimeSpan\.\w+\([^)]*\)\s*,\s*)?\[?\s*""([^""]+)""")]
    private static partial Regex NamespaceExec();

    // lab.Start(site, "charon.out", ["unshare", …]).
    [GeneratedRegex(@"\.Start\(\s*[\w.]+\s*,\s*[^,()]+,\s*\[\s*""([^""]+)""")]
    private static partial Regex NamespaceStart();

    // "ip", "netns", "exec", NS, "tcpdump"
    [GeneratedRegex(@"""netns"",\s*""exec"",\s*[\w.]+,\s*""([^""]+)""")]
    private static partial Regex NetnsExec();

    private static SortedDictionary<string, string> ExecutablesInSources()
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(Path.Combine(Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "src", "Petrel", "Demo"), "*.cs"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        foreach (var file in files)
        {
            string text = File.ReadAllText(file);
            foreach (var regex in new[] { Launcher(), NamespaceExec(), NamespaceStart(), NetnsExec() })
            {
                foreach (Match m in regex.Matches(text))
                {
                    string name = m.Groups[1].Value;
                    if (name.StartsWith('-') || name.Contains(' ') || name.Contains('{'))
                        continue;
                    found.TryAdd(Path.GetFileName(name), $"{Path.GetRelativePath(Root, file)}:{text[..m.Index].Count(c => c == '\n') + 1}");
                }
            }
        }
        return found;
    }

    [Fact]
    public void Every_executable_the_sources_start_is_in_packages_txt()
    {
        var map = PackageMap();
        var found = ExecutablesInSources();
        // The scan sees the launchers at all: these are started in several places.
        foreach (var known in new[] { "ip", "openssl", "pki", "tcpdump", "tshark", "iperf3", "swanctl", "nft", "ping", "python3", "setsid", "unshare" })
            Assert.True(found.ContainsKey(known), $"the source scan no longer finds '{known}'; fix the patterns in PackageListTests");
        var missing = found.Where(f => !map.ContainsKey(f.Key)).Select(f => $"{f.Key} ({f.Value})").ToList();
        Assert.True(missing.Count == 0, "started by the tests but not in tests/packages.txt: " + string.Join(", ", missing));
    }

    [Fact]
    public void Test_sh_reads_its_packages_from_packages_txt()
    {
        string script = File.ReadAllText(Path.Combine(Root, "test.sh"));
        Assert.Contains("tests/packages.txt", script);
        Assert.Contains("check-packages.sh", script);
        // No second list: no package name from the file is spelled out in test.sh.
        foreach (var package in PackageMap().Values.Distinct().Where(p => p is not "-" and not "(sdk)"))
            Assert.DoesNotContain(package, script);
    }

    [Theory]
    [InlineData(new[] { "ip", "netns", "exec", "ns1", "tcpdump", "-i", "eth0" }, "ip tcpdump")]
    [InlineData(new[] { "setsid", "ip", "netns", "exec", "ns1", "unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", "mount --bind \"$0\" /run && exec \"$1\"", "/nonexistent" }, "setsid ip unshare /bin/sh mount")]
    [InlineData(new[] { "sh", "-c", "cd /tmp && pki --gen > ca.key; X=1 openssl req -x509 | tee f" }, "sh pki openssl tee")]
    [InlineData(new[] { "/bin/sh", "-c", "set -e; if pki --print; then exec tshark -r f; fi" }, "/bin/sh pki tshark")]
    public void The_log_sees_through_namespaces_and_scripts(string[] argv, string expected)
    {
        Assert.Equal(expected, string.Join(' ', ExecutableLog.Executables(argv)));
    }
}
