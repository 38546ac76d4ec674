using System.Net;

namespace Petrel.Ike.Pools;

/// <summary>
/// swanctl.conf pools.NAME: the addresses handed out as virtual IPs and the attributes sent with them
/// (dns, nbns) in the CFG_REPLY (RFC 7296 §3.15). The daemon's config loader builds it.
/// </summary>
public sealed record AddressPoolConfig
{
    public required string Name { get; init; }
    public required AddressRange Addresses { get; init; }
    public IReadOnlyList<IPAddress> Dns { get; init; } = [];
    public IReadOnlyList<IPAddress> Nbns { get; init; } = [];

    /// <summary>Where this came from ("swanctl.conf:40").</summary>
    public string? Source { get; init; }

    /// <summary>The same addresses: a reload keeps the pool and its leases.</summary>
    public bool SameAddresses(AddressPoolConfig other) =>
        Addresses.First.Equals(other.Addresses.First) && Addresses.Count == other.Addresses.Count;
}
