namespace Petrel.DataPlane.Tests.Platform;

/// <summary>A test that needs root (namespaces, TUN); skipped with a reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" && !IsRoot())
            Skip = "needs root (network namespaces and TUN devices)";
        else if (!File.Exists("/dev/net/tun"))
            Skip = "no /dev/net/tun";
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
