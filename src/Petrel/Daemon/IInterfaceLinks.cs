using Petrel.Config;

namespace Petrel.Daemon;

/// <summary>
/// What <see cref="TunnelInterfaceState"/> changes on a route-based interface: its configured addresses and its
/// carrier. The production platform does it with iproute2; tests record the calls.
/// </summary>
public interface IInterfaceLinks
{
    void AddAddress(string device, TunnelAddress address);
    void RemoveAddress(string device, TunnelAddress address);
    void SetCarrier(string device, bool on);
}

/// <summary>The real devices (<see cref="Petrel.Platform.Net.InterfaceLink"/>).</summary>
public sealed class SystemInterfaceLinks : IInterfaceLinks
{
    public static readonly SystemInterfaceLinks Instance = new();

    public void AddAddress(string device, TunnelAddress address) => Petrel.Platform.Net.InterfaceLink.AddAddress(device, address.IpArguments);

    public void RemoveAddress(string device, TunnelAddress address) => Petrel.Platform.Net.InterfaceLink.RemoveAddress(device, address.IpArguments);

    public void SetCarrier(string device, bool on) => Petrel.Platform.Net.InterfaceLink.SetCarrier(device, on);
}
