namespace Petrel.Ike.Certificates;

/// <summary>
/// Fetches a CRL from a distribution point (http/https) without blocking the engine's thread, as strongSwan's
/// revocation plugin does through its curl fetcher. The daemon implements it with HttpClient; tests use a fake
/// they complete by hand.
/// </summary>
public interface ICrlFetcher
{
    /// <summary>
    /// Starts fetching <paramref name="uri"/> and returns at once. <paramref name="complete"/> must be called exactly
    /// once, on the engine's thread (the daemon posts it through its engine loop), with the body or the failure.
    /// </summary>
    void Fetch(string uri, Action<CrlFetchResult> complete);
}
