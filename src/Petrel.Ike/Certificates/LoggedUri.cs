namespace Petrel.Ike.Certificates;

/// <summary>
/// A URI as it may appear in a log line or an error: the user information of an authority
/// ("http://user:password@host/…", RFC 3986 §3.2.1) is replaced by "***", since a password there is
/// a secret and secrets never reach the logs. Everything else stays as configured, so the line still
/// names the distribution point.
/// </summary>
public static class LoggedUri
{
    public static string Of(string uri)
    {
        int scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
            return uri;
        int start = scheme + 3;
        int end = uri.IndexOfAny(['/', '?', '#'], start);
        if (end < 0)
            end = uri.Length;
        int at = uri.LastIndexOf('@', end - 1, end - start);
        return at < 0 ? uri : string.Concat(uri.AsSpan(0, start), "***", uri.AsSpan(at));
    }
}
