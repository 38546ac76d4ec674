namespace Petrel.DataPlane.Kernel;

/// <summary>Per-SA traffic counters (bytes are inner payload bytes, as strongSwan counts them).</summary>
public readonly record struct SaCounters(ulong Bytes, ulong Packets, ulong ReplayDrops, ulong IntegrityFailures, long LastUsedTicks);

/// <summary>Traffic matched a trap policy with no SA: IKE should negotiate (RFC 4301 §5.1 acquire).</summary>
/// <summary>
/// An outbound SA without extended sequence numbers has used up all but <see cref="Esp.EspSa.SequenceHeadroom"/>
/// of its 2^32-1 sequence numbers: IKE must replace it before the counter runs out, since RFC 4303 §3.3.3 forbids
/// cycling it (the data plane then drops every packet). Raised once per SA, on the packet thread that crossed the mark.
/// </summary>
public readonly record struct SequenceExhaustionEvent(uint Spi, uint ReqId, ulong Sequence);

public readonly record struct AcquireEvent(uint ReqId, System.Net.IPAddress Source, System.Net.IPAddress Destination);
