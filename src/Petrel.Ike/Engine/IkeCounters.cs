namespace Petrel.Ike.Engine;

/// <summary>What the engine counts for <c>petrel stats</c> and the tests. Engine thread only.</summary>
internal sealed class IkeCounters
{
    /// <summary>Datagrams dropped: malformed, unknown SPI, failed ICV, unexpected message ID.</summary>
    public long DroppedDatagrams;

    /// <summary>IKE_SA_INIT requests dropped by block_threshold or init_limit_half_open.</summary>
    public long DroppedByLimits;

    /// <summary>Of the dropped datagrams, the ones whose SK payload failed its integrity check.</summary>
    public long IntegrityFailures;

    public long ChildRekeysInitiated;
    public long IkeRekeysInitiated;
    public long ReauthsInitiated;

    /// <summary>Half-open IKE SAs dropped because the crypto worker queue was full.</summary>
    public long CryptoShed;
}
