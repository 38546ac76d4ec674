using System.Net;
using Petrel.Ike.Engine;
using Petrel.Platform.Net;

namespace Petrel.Daemon;

/// <summary>
/// Virtual IPs assigned to this daemon go on its TUN device (<see cref="InterfaceAddresses"/>); the DNS servers that
/// come with them go to the host's resolver (<see cref="ResolverDns"/>).
/// </summary>
public sealed class TunVirtualIps(string device, ResolverDns? resolver = null) : IVirtualIpHost
{
    private readonly ResolverDns _resolver = resolver ?? new ResolverDns();

    public void Add(IPAddress address) => InterfaceAddresses.Add(device, address);

    public void Remove(IPAddress address) => InterfaceAddresses.Remove(device, address);

    public string? AddDns(IReadOnlyList<IPAddress> servers) => _resolver.Add(servers);

    public void RemoveDns(IReadOnlyList<IPAddress> servers) => _resolver.Remove(servers);
}
