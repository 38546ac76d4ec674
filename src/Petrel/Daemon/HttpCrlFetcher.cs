using System.Net;
using Petrel.Ike.Certificates;

namespace Petrel.Daemon;

/// <summary>
/// The daemon's CRL fetcher (strongSwan's curl fetcher for the revocation plugin): an HTTP(S) GET on the thread pool
/// with a timeout (<c>petrel { fetch_timeout }</c>, 10 s by default) and a size limit; the result is posted back to the
/// engine thread, so a slow or dead CRL server never stalls the IKE SAs of other peers.
/// </summary>
public sealed class HttpCrlFetcher : ICrlFetcher, IDisposable
{
    /// <summary>Larger bodies are refused: a CRL of a million entries is about 40 MB, this one is for gateways.</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly Action<Action> _post;

    /// <param name="timeout">The whole fetch (connect, headers, body).</param>
    /// <param name="post">Runs an action on the engine thread (the daemon: <see cref="EngineLoop.Post"/>).</param>
    public HttpCrlFetcher(TimeSpan timeout, Action<Action> post)
    {
        _timeout = timeout;
        _post = post;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, MaxAutomaticRedirections = 3, UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("petrel/" + PetrelVersion.Text);
    }

    public void Fetch(string uri, Action<CrlFetchResult> complete) =>
        _ = Task.Run(async () =>
        {
            var result = await FetchAsync(uri).ConfigureAwait(false);
            _post(() => complete(result));
        });

    /// <summary>One GET: the body on 2xx, else one line (HTTP status, timeout, connection error).</summary>
    public async Task<CrlFetchResult> FetchAsync(string uri)
    {
        using var cts = new CancellationTokenSource(_timeout);
        try
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return CrlFetchResult.Failure($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
            if (response.Content.Headers.ContentLength > MaxBodyBytes)
                return CrlFetchResult.Failure($"the CRL has {response.Content.Headers.ContentLength} bytes, more than {MaxBodyBytes}");
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            using var body = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false)) > 0)
            {
                if (body.Length + n > MaxBodyBytes)
                    return CrlFetchResult.Failure($"the CRL is larger than {MaxBodyBytes} bytes");
                body.Write(buffer, 0, n);
            }
            return CrlFetchResult.Success(body.ToArray());
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return CrlFetchResult.Failure($"timed out after {_timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return CrlFetchResult.Failure(OneLine(e.InnerException?.Message ?? e.Message));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UriFormatException or NotSupportedException)
        {
            return CrlFetchResult.Failure(OneLine(e.Message));
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    public void Dispose() => _http.Dispose();
}
