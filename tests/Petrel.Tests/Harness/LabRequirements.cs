namespace Petrel.Tests.Harness;

/// <summary>
/// What the namespace tests need from the machine: root (to create network namespaces, veths,
/// TUN devices and raw sockets) and the strongSwan/iproute2/tcpdump tools. Locally without root
/// the tests skip; under CI (CI=true) a missing requirement is a failure, never a silent skip.
/// </summary>
public static class LabRequirements
{
    public static bool IsRoot => Environment.UserName == "root" || Geteuid() == 0;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reason to skip, or null when the test may run (always null under CI).</summary>
    public static string? SkipReason()
    {
        if (IsRoot || IsCi) return null;
        return "needs root (network namespaces); runs under CI=true or as root";
    }

    /// <summary>Called at the start of every namespace test: fails loudly when the machine cannot run it.</summary>
    public static void EnsureReady()
    {
        if (!IsRoot)
            throw new InvalidOperationException("namespace interop tests need root; CI=true is set, so this is a failure, not a skip");
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/lib/ipsec/charon", "/usr/sbin/swanctl", "/usr/bin/tcpdump", "/usr/bin/tshark", "/usr/bin/iperf3", "/usr/bin/unshare" })
        {
            if (!File.Exists(tool) && !File.Exists("/bin/" + Path.GetFileName(tool)) && !File.Exists("/sbin/" + Path.GetFileName(tool)))
                throw new InvalidOperationException($"missing tool {tool}: run ./test.sh as root once to install the Debian packages");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
