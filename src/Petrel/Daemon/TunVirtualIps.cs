using System.Net;
using Petrel.Ike.Engine;
using Petrel.Platform.Net;

namespace Petrel.Daemon;

/// <summary>Virtual IPs assigned to this daemon go on its TUN device (<see cref="InterfaceAddresses"/>).</summary>
public sealed class TunVirtualIps(string device) : IVirtualIpHost
{
    public void Add(IPAddress address) => InterfaceAddresses.Add(device, address);

    public void Remove(IPAddress address) => InterfaceAddresses.Remove(device, address);
}
