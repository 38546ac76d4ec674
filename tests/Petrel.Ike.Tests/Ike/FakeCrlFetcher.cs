using Petrel.Ike.Certificates;

namespace Petrel.Ike.Tests.Ike;

/// <summary>A CRL fetcher the test completes by hand: Fetch only records the request, as a real fetch runs elsewhere.</summary>
internal sealed class FakeCrlFetcher : ICrlFetcher
{
    private readonly List<(string Uri, Action<CrlFetchResult> Complete)> _open = [];

    /// <summary>Every URI fetched, in order (also the completed ones).</summary>
    public List<string> Requests { get; } = [];

    public int Open => _open.Count;

    public void Fetch(string uri, Action<CrlFetchResult> complete)
    {
        Requests.Add(uri);
        _open.Add((uri, complete));
    }

    /// <summary>Completes the oldest open fetch of the URI with a body or a failure.</summary>
    public void Complete(string uri, CrlFetchResult result)
    {
        int i = _open.FindIndex(o => o.Uri == uri);
        Assert.True(i >= 0, $"no open fetch of {uri} (requests: {string.Join(", ", Requests)})");
        var (_, complete) = _open[i];
        _open.RemoveAt(i);
        complete(result);
    }
}
