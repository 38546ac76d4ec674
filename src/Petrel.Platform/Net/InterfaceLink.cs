namespace Petrel.Platform.Net;

/// <summary>
/// A route-based interface's addresses and carrier, set through iproute2 (a handful of calls per SA
/// event, never per packet). Carrier off keeps the device, its addresses and the routes into it
/// (the kernel marks them linkdown) and tells routing daemons that the link is gone.
/// </summary>
public static class InterfaceLink
{
    /// <summary>`ip address replace ARGS dev DEVICE`, ARGS as "169.254.10.1 peer 169.254.10.2/32" or "10.9.0.1/30".</summary>
    public static void AddAddress(string device, IReadOnlyList<string> address) =>
        IpCommand.Run(["address", "replace", .. address, "dev", device]);

    /// <summary>Removes an address; one that is gone already is no error.</summary>
    public static void RemoveAddress(string device, IReadOnlyList<string> address)
    {
        var (code, error) = IpCommand.TryRun(["address", "del", .. address, "dev", device]);
        if (code != 0 && !error.Contains("Cannot assign", StringComparison.Ordinal) && !error.Contains("Cannot find device", StringComparison.Ordinal))
            throw new InvalidOperationException($"ip address del {string.Join(' ', address)} dev {device}: {error.Trim()}");
    }

    /// <summary>Sets the TUN device's carrier (TUNSETCARRIER through IFLA_CARRIER, Linux 5.0+).</summary>
    public static void SetCarrier(string device, bool on) =>
        IpCommand.Run("link", "set", "dev", device, "carrier", on ? "on" : "off");
}
