using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Petrel.Platform.Net;

/// <summary>
/// Adds and removes a host address (/32, /128) on a device: a virtual IP assigned by the peer lives on the
/// TUN device, so that routes into the tunnel can use it as their source (strongSwan installs it the same way).
/// Once per IKE SA, so iproute2 is fine here.
/// </summary>
public static class InterfaceAddresses
{
    public static void Add(string device, IPAddress address) =>
        IpCommand.Run(Family(address), "address", "replace", Host(address), "dev", device);

    public static void Remove(string device, IPAddress address)
    {
        var (code, error) = IpCommand.TryRun(Family(address), "address", "del", Host(address), "dev", device);
        // Gone already (the device went, or someone removed it): nothing left to do.
        if (code != 0 && !error.Contains("Cannot assign", StringComparison.Ordinal) && !error.Contains("Cannot find device", StringComparison.Ordinal))
            throw new InvalidOperationException($"ip address del {Host(address)} dev {device}: {error.Trim()}");
    }

    private static string Family(IPAddress a) => a.AddressFamily == AddressFamily.InterNetwork ? "-4" : "-6";

    private static string Host(IPAddress a) =>
        a + "/" + (a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128).ToString(CultureInfo.InvariantCulture);
}
