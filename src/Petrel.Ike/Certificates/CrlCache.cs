using Org.BouncyCastle.X509;

namespace Petrel.Ike.Certificates;

/// <summary>
/// CRLs fetched from distribution points, by URI, kept in memory until their nextUpdate (RFC 5280 §5.1.2.5); after that
/// they are stale and fetched again. A failed fetch is remembered for <see cref="FailureHold"/> so that a burst of
/// clients does not hammer a dead server. Like the engine that owns it, not thread-safe.
/// </summary>
public sealed class CrlCache
{
    /// <summary>A CRL without nextUpdate is considered current this long after it was fetched.</summary>
    public static readonly TimeSpan NoNextUpdateLifetime = TimeSpan.FromHours(1);

    private readonly Dictionary<string, CrlCacheEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>How long a failed fetch is not retried.</summary>
    public TimeSpan FailureHold { get; set; } = TimeSpan.FromSeconds(30);

    public CrlCacheEntry? Get(string uri) => _entries.GetValueOrDefault(uri);

    public int Count => _entries.Count;

    /// <summary>Whether the URI's CRL is usable as current at this wall-clock / monotonic time.</summary>
    public static bool IsCurrent(X509Crl crl, DateTime utcNow, TimeSpan fetchedAt, TimeSpan monotonicNow) =>
        crl.NextUpdate is { } next ? utcNow <= next : monotonicNow - fetchedAt < NoNextUpdateLifetime;

    /// <summary>Whether a fetch should start now: nothing known, or stale, and neither pending nor recently failed.</summary>
    public bool NeedsFetch(string uri, DateTime utcNow, TimeSpan monotonicNow)
    {
        if (!_entries.TryGetValue(uri, out var e)) return true;
        if (e.Pending) return false;
        if (e.Failure.Length > 0 && monotonicNow < e.FailedUntil) return false;
        if (e.Crl is null) return true;
        // A server that hands out a stale CRL is asked again only after the failure hold, like a failed one.
        return !IsCurrent(e.Crl, utcNow, e.FetchedAt, monotonicNow) && monotonicNow - e.FetchedAt >= FailureHold;
    }

    public void MarkPending(string uri)
    {
        if (!_entries.TryGetValue(uri, out var e)) _entries[uri] = e = new CrlCacheEntry();
        e.Pending = true;
    }

    public void Store(string uri, X509Crl crl, TimeSpan monotonicNow)
    {
        if (!_entries.TryGetValue(uri, out var e)) _entries[uri] = e = new CrlCacheEntry();
        e.Pending = false;
        e.Crl = crl;
        e.FetchedAt = monotonicNow;
        e.Failure = "";
    }

    /// <summary>Records a failed fetch; a CRL fetched earlier stays (stale, but its revocations still count).</summary>
    public void Fail(string uri, string reason, TimeSpan monotonicNow)
    {
        if (!_entries.TryGetValue(uri, out var e)) _entries[uri] = e = new CrlCacheEntry();
        e.Pending = false;
        e.Failure = reason;
        e.FailedUntil = monotonicNow + FailureHold;
    }

    public void Clear() => _entries.Clear();
}
