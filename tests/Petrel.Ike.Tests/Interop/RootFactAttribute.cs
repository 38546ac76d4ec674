using System.Runtime.InteropServices;

namespace Petrel.Ike.Tests.Interop;

/// <summary>A test that needs root (network namespaces, ports 500/4500) and strongSwan's charon; skipped otherwise.</summary>
public sealed partial class RootFactAttribute : FactAttribute
{
    public const string Charon = "/usr/lib/ipsec/charon";

    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || geteuid() != 0)
            Skip = "needs root on Linux (network namespaces, UDP 500/4500)";
        else if (!File.Exists(Charon) || !File.Exists("/usr/sbin/swanctl"))
            Skip = "needs strongSwan (charon and swanctl)";
        else if (Environment.GetEnvironmentVariable("PETREL_SKIP_INTEROP") is not null)
            Skip = "PETREL_SKIP_INTEROP is set";
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
