using System.Net;

namespace Petrel.Ike.Pools;

/// <summary>One lease of a pool as listed: online while an IKE SA holds it, offline once released (kept for that identity).</summary>
public readonly record struct PoolLease(IPAddress Address, string Identity, bool Online);
