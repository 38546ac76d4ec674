using System.Net;

namespace Petrel.Ike.Pools;

/// <summary>A virtual IP handed to a peer: the address and the pool it came from (null for one a RADIUS server chose).</summary>
public sealed record PoolAssignment(IPAddress Address, string? Pool, string Identity);
