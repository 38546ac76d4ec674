using System.Net;

namespace Petrel.Ike.Engine;

/// <summary>
/// Where a virtual IP assigned to us lives: the daemon adds it to its TUN device, so that the host's traffic
/// leaves from it (the tunnel route's source) and traffic to it is delivered. Engine thread.
/// </summary>
public interface IVirtualIpHost
{
    void Add(IPAddress address);

    void Remove(IPAddress address);
}
