namespace Petrel.DataPlane.Tests.Platform;

/// <summary>A test that needs root (namespaces, TUN); skipped with a reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute() => Skip = SkipReason();

    /// <summary>Null when the test can run here.</summary>
    internal static string? SkipReason()
    {
        if (!IsRoot())
            return "needs root (network namespaces and TUN devices)";
        if (!File.Exists("/dev/net/tun"))
            return "no /dev/net/tun";
        return null;
    }

    private static bool IsRoot()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                    return line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";
            }
        }
        catch (IOException)
        {
        }
        return false;
    }
}
