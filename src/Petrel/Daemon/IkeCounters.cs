namespace Petrel.Daemon;

/// <summary>
/// The IKE engine's drop counters for `petrel stats`, and its crypto workers: half-open SAs shed because their queue was
/// full, jobs waiting now, and how many may wait.
/// </summary>
public readonly record struct IkeCounters(long Dropped, long IntegrityFailures, long DroppedByLimits,
    long CryptoShed = 0, int CryptoWaiting = 0, int CryptoCapacity = 0);
