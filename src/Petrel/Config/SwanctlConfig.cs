using Petrel.Ike.Config;
using Petrel.Ike.Pools;

namespace Petrel.Config;

/// <summary>Everything one swanctl.conf (with its includes) configures.</summary>
public sealed record SwanctlConfig(
    IReadOnlyList<ConnectionConfig> Connections,
    IReadOnlyList<SharedSecret> Secrets,
    IReadOnlyList<AuthorityConfig> Authorities,
    DaemonSettings Daemon,
    string Path)
{
    /// <summary>pools { NAME { addrs, dns, nbns } }: virtual IPs for the connections that name them.</summary>
    public IReadOnlyList<AddressPoolConfig> Pools { get; init; } = [];
}
