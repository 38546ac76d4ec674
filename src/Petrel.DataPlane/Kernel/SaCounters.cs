namespace Petrel.DataPlane.Kernel;

/// <summary>Per-SA traffic counters (bytes are inner payload bytes, as strongSwan counts them).</summary>
public readonly record struct SaCounters(ulong Bytes, ulong Packets, ulong ReplayDrops, ulong IntegrityFailures, long LastUsedTicks);

/// <summary>Traffic matched a trap policy with no SA: IKE should negotiate (RFC 4301 §5.1 acquire).</summary>
public readonly record struct AcquireEvent(uint ReqId, System.Net.IPAddress Source, System.Net.IPAddress Destination);
