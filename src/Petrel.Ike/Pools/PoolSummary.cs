namespace Petrel.Ike.Pools;

/// <summary>One pool as petrel list-pools shows it (strongSwan's swanctl --list-pools: base, size, online, offline).</summary>
public sealed record PoolSummary(string Name, string Addresses, string First, string Last, int Size, int Online, int Offline, IReadOnlyList<PoolLease> Leases);
