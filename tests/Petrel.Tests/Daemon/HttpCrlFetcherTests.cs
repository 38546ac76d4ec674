using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Petrel.Daemon;
using Petrel.Ike.Certificates;

namespace Petrel.Tests.Daemon;

/// <summary>
/// The daemon's CRL fetcher against a small HTTP server on 127.0.0.1 in the test: DER and PEM bodies come back as they
/// were served, 404 and an unanswered request become one-line failures (the latter after fetch_timeout), a refused
/// connection too, and the completion runs through the post delegate (the engine loop), never on the caller's thread.
/// </summary>
public sealed class HttpCrlFetcherTests : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _server;
    private readonly Dictionary<string, (int Status, byte[] Body)> _routes = [];
    private readonly byte[] _der;
    private readonly string _pem;
    private int _requests;

    public HttpCrlFetcherTests()
    {
        var now = DateTime.UtcNow;
        var key = CertificateBuilder.GenerateKey(KeyKind.Ecdsa);
        var ca = CertificateBuilder.SelfSignedCa(key, "C=CH, O=Petrel, CN=Fetch CA", now.AddDays(-1), now.AddDays(30));
        var crl = CertificateBuilder.Crl(ca, key, [(Org.BouncyCastle.Math.BigInteger.ValueOf(77), now.AddHours(-1), 1)], now.AddHours(-1), now.AddDays(7));
        _der = crl.GetEncoded();
        _pem = CertificateBuilder.CrlPem(crl);
        _routes["/ca.crl"] = (200, _der);
        _routes["/ca.crl.pem"] = (200, Encoding.ASCII.GetBytes(_pem));
        _listener.Start();
        _server = Task.Run(ServeAsync);
    }

    private string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    string? requestLine = await reader.ReadLineAsync();
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
                    Interlocked.Increment(ref _requests);
                    string path = requestLine?.Split(' ') is [_, var p, ..] ? p : "/";
                    if (path == "/slow")
                    {
                        // Never answers: the fetcher's timeout must end the fetch.
                        try { await Task.Delay(Timeout.Infinite, _stop.Token); } catch (OperationCanceledException) { }
                        return;
                    }
                    var (status, body) = _routes.TryGetValue(path, out var r) ? r : (404, Encoding.ASCII.GetBytes("not here"));
                    var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Not Found")}\r\nContent-Length: {body.Length}\r\nContent-Type: application/pkix-crl\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(head);
                    await stream.WriteAsync(body);
                }
            });
        }
    }

    [Fact]
    public async Task Der_and_pem_bodies_come_back_as_served_and_parse()
    {
        using var fetcher = new HttpCrlFetcher(TimeSpan.FromSeconds(5), a => a());

        var der = await fetcher.FetchAsync(Url("/ca.crl"));
        var pem = await fetcher.FetchAsync(Url("/ca.crl.pem"));

        Assert.True(der.Ok, der.Error);
        Assert.Equal(_der, der.Body);
        Assert.True(pem.Ok, pem.Error);
        Assert.Equal(_pem, Encoding.ASCII.GetString(pem.Body!));
        Assert.NotNull(CertificateLoader.ParseCrl(der.Body!, "der").GetRevokedCertificate(Org.BouncyCastle.Math.BigInteger.ValueOf(77)));
        Assert.NotNull(CertificateLoader.ParseCrl(pem.Body!, "pem").GetRevokedCertificate(Org.BouncyCastle.Math.BigInteger.ValueOf(77)));
    }

    [Fact]
    public async Task Not_found_refused_and_silent_servers_are_one_line_failures()
    {
        using var fetcher = new HttpCrlFetcher(TimeSpan.FromSeconds(1), a => a());

        var missing = await fetcher.FetchAsync(Url("/nothing.crl"));
        var started = DateTime.UtcNow;
        var slow = await fetcher.FetchAsync(Url("/slow"));
        var took = DateTime.UtcNow - started;
        // A port nobody listens on: take one from the kernel and close it again.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var refused = await fetcher.FetchAsync($"http://127.0.0.1:{closed}/ca.crl");

        Assert.False(missing.Ok);
        Assert.Equal("HTTP 404 Not Found", missing.Error);
        Assert.False(slow.Ok);
        Assert.Equal("timed out after 1 s", slow.Error);
        Assert.InRange(took.TotalSeconds, 0.9, 4);
        Assert.False(refused.Ok);
        Assert.Contains("refused", refused.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', refused.Error);
    }

    [Fact]
    public async Task Fetch_returns_at_once_and_completes_through_post()
    {
        var posted = new BlockingCollection<Action>();
        using var fetcher = new HttpCrlFetcher(TimeSpan.FromSeconds(5), posted.Add);
        CrlFetchResult? result = null;

        fetcher.Fetch(Url("/ca.crl"), r => result = r);
        Assert.Null(result); // returned before the fetch

        Assert.True(posted.TryTake(out var action, TimeSpan.FromSeconds(10)));
        Assert.Null(result); // fetched, but the completion waits for the engine thread to run it
        await Task.Run(action); // stands in for the engine thread
        Assert.True(result is { Ok: true }, result?.Error);
        Assert.Equal(_der, result!.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _server; } catch (Exception) { }
        _stop.Dispose();
    }
}
