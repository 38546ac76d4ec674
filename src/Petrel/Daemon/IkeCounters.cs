namespace Petrel.Daemon;

/// <summary>The IKE engine's drop counters for `petrel stats`.</summary>
public readonly record struct IkeCounters(long Dropped, long IntegrityFailures, long DroppedByLimits);
