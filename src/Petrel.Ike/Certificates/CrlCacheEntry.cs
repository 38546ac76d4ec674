using Org.BouncyCastle.X509;

namespace Petrel.Ike.Certificates;

/// <summary>What the <see cref="CrlCache"/> knows about one distribution point URI.</summary>
public sealed class CrlCacheEntry
{
    /// <summary>A fetch has started and not completed yet.</summary>
    public bool Pending { get; internal set; }

    /// <summary>The last CRL fetched from the URI (kept when stale, so a revocation in it still counts).</summary>
    public X509Crl? Crl { get; internal set; }

    /// <summary>Monotonic time of the last successful fetch (a CRL without nextUpdate is fetched again an hour later).</summary>
    public TimeSpan FetchedAt { get; internal set; }

    /// <summary>Why the last fetch failed; empty after a success.</summary>
    public string Failure { get; internal set; } = "";

    /// <summary>Until when (monotonic) a failure is remembered instead of fetching again.</summary>
    public TimeSpan FailedUntil { get; internal set; }
}
