using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Petrel.Dashboard;

/// <summary>
/// Who may read and who may act. With a token configured (petrel.dashboard_token) every page, API and
/// /metrics needs it: as "Authorization: Bearer TOKEN" (scripts, Prometheus) or as the session cookie
/// /login sets after the token was typed (HttpOnly, SameSite=Strict). Without a token (loopback only, the
/// loader refuses anything else) pages are open and actions are refused.
/// Actions (POST) with a session cookie must also carry the session's CSRF token in X-CSRF-Token, and a
/// browser's Origin, when sent, must be this dashboard's own: a page of another site can neither read the
/// CSRF token nor set the header.
/// </summary>
public sealed class DashboardAuth(string? token)
{
    public const string CookieName = "petrel_session";
    public const string CsrfHeader = "X-CSRF-Token";
    private const int MaxSessions = 256;
    private static readonly TimeSpan SessionLife = TimeSpan.FromHours(12);

    private readonly byte[]? _tokenHash = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    private sealed record Session(string Csrf, DateTimeOffset Expires);

    public bool HasToken => _tokenHash is not null;

    /// <summary>Constant-time comparison of hashes, so timing tells nothing about the token.</summary>
    public bool TokenMatches(string? presented) =>
        _tokenHash is not null && presented is not null && CryptographicOperations.FixedTimeEquals(_tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    /// <summary>A new session after a correct token: its id goes into the cookie, its CSRF token to the page.</summary>
    public string NewSession()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (id, s) in _sessions)
            if (s.Expires < now) _sessions.TryRemove(id, out _);
        while (_sessions.Count >= MaxSessions)
        {
            var oldest = _sessions.MinBy(kv => kv.Value.Expires);
            _sessions.TryRemove(oldest.Key, out _);
        }
        string sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _sessions[sessionId] = new Session(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), now + SessionLife);
        return sessionId;
    }

    private Session? SessionOf(HttpContext http) =>
        http.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null && _sessions.TryGetValue(id, out var s) && s.Expires > DateTimeOffset.UtcNow ? s : null;

    private bool Bearer(HttpContext http)
    {
        string? header = http.Request.Headers.Authorization;
        return header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) && TokenMatches(header["Bearer ".Length..].Trim());
    }

    /// <summary>May this request read the dashboard?</summary>
    public bool CanRead(HttpContext http) => !HasToken || Bearer(http) || SessionOf(http) is not null;

    /// <summary>The CSRF token of this request's session; null for bearer or open access.</summary>
    public string? CsrfOf(HttpContext http) => SessionOf(http)?.Csrf;

    /// <summary>May this request change something? Null when yes, else why not (the 403's text).</summary>
    public string? WhyNotAct(HttpContext http)
    {
        if (!HasToken) return "actions need petrel.dashboard_token to be configured";
        if (http.Request.Headers.Origin is { Count: > 0 } origin && !SameOrigin(origin.ToString(), http)) return "cross-origin request refused";
        if (Bearer(http)) return null;
        var session = SessionOf(http);
        if (session is null) return "the token is missing or wrong";
        string? csrf = http.Request.Headers[CsrfHeader];
        if (csrf is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(csrf), Encoding.ASCII.GetBytes(session.Csrf)))
            return "the CSRF token is missing or wrong";
        return null;
    }

    private static bool SameOrigin(string origin, HttpContext http) =>
        string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase);

    public void Logout(HttpContext http)
    {
        if (http.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null) _sessions.TryRemove(id, out _);
    }
}
