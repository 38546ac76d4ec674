namespace Petrel.Platform.Net;

/// <summary>
/// The kernel refused an rtnetlink request. <see cref="Answer"/> is what ip(8) would print
/// ("RTNETLINK answers: File exists"); the message adds the request, e.g.
/// "route replace 10.2.0.0/24 dev petrel0: RTNETLINK answers: File exists".
/// </summary>
internal sealed class NetlinkException(string request, int errno, string answer)
    : IOException($"{request}: {answer}")
{
    /// <summary>The positive errno (EEXIST 17, ENOENT 2, ESRCH 3, ENODEV 19, ENETUNREACH 101, …).</summary>
    public int Errno { get; } = errno;

    public string Answer { get; } = answer;

    public string Request { get; } = request;
}
