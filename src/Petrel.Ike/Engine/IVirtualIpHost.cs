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

    /// <summary>
    /// DNS servers the peer assigned with our virtual IP go to the host's resolver, as strongSwan's resolve plugin
    /// does; returns where they went, for the log. A host without a resolver to feed keeps the default (nothing).
    /// </summary>
    string? AddDns(IReadOnlyList<IPAddress> servers) => null;

    void RemoveDns(IReadOnlyList<IPAddress> servers) { }
}
