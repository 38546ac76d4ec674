namespace Petrel.Ike.Pools;

/// <summary>
/// The three passes of a lease request over a connection's pools, in this order (strongSwan's mem-pool
/// MEM_POOL_EXISTING / _NEW / _REASSIGN): the identity's own lease first in every pool, then an address never
/// handed out, and only when every pool is used up, the offline lease of another identity.
/// </summary>
public enum PoolAcquireMode
{
    Existing,
    New,
    Reassign,
}
