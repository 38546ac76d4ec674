using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Petrel.Daemon;
using Petrel.Daemon.Events;
using Prometheus;

namespace Petrel.Dashboard;

/// <summary>
/// petrel { dashboard = ADDRESS:PORT }: the web dashboard and /metrics, on Kestrel inside the daemon.
/// <list type="bullet">
/// <item>GET / the page (embedded wwwroot: HTML, CSS, JS; no build step), /static/NAME its files;</item>
/// <item>GET /api/state one snapshot (connections, SAs, recent events, the session's CSRF token);</item>
/// <item>GET /api/events Server-Sent Events: "state" every second and on every SA event, "sa" per event;</item>
/// <item>POST /api/up, /api/down, /api/rekey {"connection","child"} (token and CSRF: <see cref="DashboardAuth"/>);</item>
/// <item>GET|POST /login, POST /logout; GET /metrics (Prometheus text format).</item>
/// </list>
/// Everything it reads from the engine goes through the engine thread (<see cref="EngineLoop.InvokeAsync"/>).
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StateInterval = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default };

    private readonly IPEndPoint _endpoint;
    private readonly EngineLoop _loop;
    private readonly EventHub _feed;
    private readonly DashboardAuth _auth;
    private readonly DashboardSnapshot _snapshot;
    private readonly PetrelMetrics _metrics;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _app;

    public DashboardServer(IPEndPoint endpoint, string? token, EngineLoop loop, EventHub feed, Petrel.DataPlane.Kernel.IIpsecKernel? kernel,
        Petrel.Config.VirtualInterfaceSet? interfaces, ILogger<DashboardServer> log)
    {
        _endpoint = endpoint;
        _loop = loop;
        _feed = feed;
        _auth = new DashboardAuth(token);
        _snapshot = new DashboardSnapshot(loop, feed, kernel, interfaces);
        _metrics = new PetrelMetrics(loop, kernel);
        _log = log;
    }

    /// <summary>The address it listens on (the port Kestrel chose when the config said 0).</summary>
    public IPEndPoint? BoundEndpoint { get; private set; }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "petrel-dashboard" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(_endpoint);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 16 * 1024;
            k.Limits.MaxConcurrentConnections = 64;
        });
        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            // Nobody frames the dashboard (clickjacking on the buttons), scripts only from here.
            http.Response.Headers["X-Frame-Options"] = "DENY";
            http.Response.Headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            http.Response.Headers["Referrer-Policy"] = "same-origin"; // no-referrer would make Chrome send "Origin: null" on our own POSTs
            await next(http);
        });
        Map(app);
        try
        {
            await app.StartAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cannot listen on {_endpoint} for the dashboard: {e.Message}");
        }
        _app = app;
        var address = app.Urls.FirstOrDefault();
        BoundEndpoint = address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri) ? new IPEndPoint(_endpoint.Address, uri.Port) : _endpoint;
        _log.LogInformation("dashboard and /metrics listening on http://{Endpoint}/{Token}", BoundEndpoint, _auth.HasToken ? " (token required)" : " (read-only: no dashboard_token)");
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/", (HttpContext http) => _auth.CanRead(http) ? Static("index.html") : Results.Redirect("/login"));
        app.MapGet("/static/{name}", (string name) => Static(name));
        app.MapGet("/login", () => Results.Content(LoginPage(null), "text/html; charset=utf-8"));
        app.MapPost("/login", (Delegate)LoginAsync); // Delegate: a Task<IResult> method group would bind as a RequestDelegate and drop its result
        app.MapPost("/logout", (HttpContext http) =>
        {
            _auth.Logout(http);
            http.Response.Cookies.Delete(DashboardAuth.CookieName);
            return Results.Redirect("/login", permanent: false, preserveMethod: false);
        });
        app.MapGet("/api/state", (Delegate)StateAsync);
        app.MapGet("/api/events", EventsAsync);
        app.MapPost("/api/{action}", (Delegate)ActAsync);
        app.MapGet("/metrics", MetricsAsync);
    }

    private static IResult Static(string name)
    {
        string type = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "",
        };
        var stream = type.Length == 0 ? null : typeof(DashboardServer).Assembly.GetManifestResourceStream("dashboard/" + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, type);
    }

    private async Task<IResult> LoginAsync(HttpContext http)
    {
        if (!_auth.HasToken)
            return Results.Content(LoginPage("this dashboard has no dashboard_token: it is read-only"), "text/html; charset=utf-8", statusCode: 403);
        if (http.Request.Headers.Origin is { Count: > 0 } origin && !string.Equals(origin.ToString(), $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase))
            return Results.StatusCode(403);
        string? token = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(_stop.Token).ConfigureAwait(false))["token"].ToString() : null;
        if (!_auth.TokenMatches(token))
        {
            _log.LogWarning("dashboard: wrong token from {Remote}", http.Connection.RemoteIpAddress);
            await Task.Delay(500, _stop.Token).ConfigureAwait(false); // slows guessing down
            return Results.Content(LoginPage("wrong token"), "text/html; charset=utf-8", statusCode: 401);
        }
        http.Response.Cookies.Append(DashboardAuth.CookieName, _auth.NewSession(),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
        return Results.Redirect("/");
    }

    private static string LoginPage(string? problem) =>
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Petrel: sign in</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>" +
        "<header><h1>Petrel</h1></header><main><form method=\"post\" action=\"/login\" class=\"login\">" +
        (problem is null ? "" : $"<p class=\"problem\">{System.Net.WebUtility.HtmlEncode(problem)}</p>") +
        "<label>Dashboard token <input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\"></label> <button type=\"submit\" id=\"login\">Sign in</button></form></main></body></html>";

    private async Task<IResult> StateAsync(HttpContext http)
    {
        if (!_auth.CanRead(http)) return Unauthorized();
        var state = await _snapshot.BuildAsync().ConfigureAwait(false);
        state["csrf"] = _auth.CsrfOf(http);
        state["can_act"] = _auth.HasToken && (_auth.CsrfOf(http) is not null || _auth.WhyNotAct(http) is null);
        return Results.Text(state.ToJsonString(Json), "application/json; charset=utf-8");
    }

    private async Task EventsAsync(HttpContext http)
    {
        if (!_auth.CanRead(http))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        using var subscription = _feed.Subscribe(events: true, LogLevel.None, capacity: 256);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stop.Token);
        var reader = subscription.Reader;
        try
        {
            await SendStateAsync(http, cancel.Token).ConfigureAwait(false);
            while (!cancel.IsCancellationRequested)
            {
                bool changed = false;
                using (var tick = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token))
                {
                    tick.CancelAfter(StateInterval);
                    try
                    {
                        if (await reader.WaitToReadAsync(tick.Token).ConfigureAwait(false))
                        {
                            while (reader.TryRead(out var item))
                            {
                                if (item.Event is not { } e) continue;
                                changed = true;
                                await WriteSseAsync(http, "sa", FeedJson.Event(e), cancel.Token).ConfigureAwait(false);
                            }
                        }
                        else return;
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                    {
                        changed = true; // the second is over: counters moved
                    }
                }
                if (changed) await SendStateAsync(http, cancel.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // the browser went away, or the daemon stops
        }
    }

    private async Task SendStateAsync(HttpContext http, CancellationToken cancel)
    {
        var state = await _snapshot.BuildAsync().ConfigureAwait(false);
        await WriteSseAsync(http, "state", state, cancel).ConfigureAwait(false);
    }

    private static async Task WriteSseAsync(HttpContext http, string name, JsonNode data, CancellationToken cancel)
    {
        await http.Response.WriteAsync($"event: {name}\ndata: {data.ToJsonString(Json)}\n\n", cancel).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(cancel).ConfigureAwait(false);
    }

    private async Task<IResult> ActAsync(HttpContext http, string action)
    {
        if (action is not ("up" or "down" or "rekey")) return Results.NotFound();
        if (_auth.WhyNotAct(http) is { } why)
        {
            _log.LogWarning("dashboard: {Action} refused for {Remote}: {Why}", action, http.Connection.RemoteIpAddress, why);
            return Results.Json(new { ok = false, error = why }, statusCode: _auth.HasToken && why.Contains("CSRF") ? 403 : why.Contains("token is missing") ? 401 : 403);
        }
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        string? connection = body?["connection"] is JsonValue c && c.TryGetValue(out string? cs) ? cs : null;
        string? child = body?["child"] is JsonValue ch && ch.TryGetValue(out string? chs) && chs.Length > 0 ? chs : null;
        if (string.IsNullOrEmpty(connection)) return Results.Json(new { ok = false, error = "a JSON body with \"connection\" is needed" }, statusCode: 400);
        string? problem = await _loop.InvokeAsync(e => ControlHandler.CheckNames(e.Connections, connection, child)).ConfigureAwait(false);
        if (problem is not null) return Results.Json(new { ok = false, error = problem }, statusCode: 404);

        _log.LogInformation("dashboard: {Action} {Connection} {Child} from {Remote}", action, connection, child ?? "(all)", http.Connection.RemoteIpAddress);
        Petrel.Ike.Engine.InitiateResult result;
        if (action == "rekey")
        {
            result = await _loop.InvokeAsync(e => e.Rekey(connection, child)).ConfigureAwait(false);
        }
        else
        {
            var operation = _loop.RunOperationAsync(action == "up" ? (e, done) => e.Initiate(connection, child, done) : (e, done) => e.Terminate(connection, child, done));
            var finished = await Task.WhenAny(operation, Task.Delay(ActionTimeout, http.RequestAborted)).ConfigureAwait(false);
            result = finished == operation ? await operation.ConfigureAwait(false)
                : new Petrel.Ike.Engine.InitiateResult(true, $"{action} of '{connection}' goes on in the background");
        }
        return Results.Json(new { ok = result.Success, message = result.Message }, statusCode: result.Success ? 200 : 409);
    }

    private async Task MetricsAsync(HttpContext http)
    {
        if (!_auth.CanRead(http))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await _metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    private static IResult Unauthorized() => Results.Json(new { ok = false, error = "the token is missing or wrong: sign in at /login" }, statusCode: 401);

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        if (_app is not null)
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await _app.StopAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { }
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
