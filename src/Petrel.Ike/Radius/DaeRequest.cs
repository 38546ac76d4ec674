namespace Petrel.Ike.Radius;

/// <summary>
/// What a Disconnect- or CoA-Request (RFC 5176) asks of the engine: the sessions it names by User-Name (matched as
/// strongSwan does, against the client's EAP identity, else its IKE identity; several names add up) and, when present,
/// Acct-Session-Id (then only that accounting session matches), and for a CoA the new Session-Timeout.
/// </summary>
public sealed record DaeRequest
{
    public required bool Disconnect { get; init; }
    public IReadOnlyList<string> UserNames { get; init; } = [];
    public IReadOnlyList<string> SessionIds { get; init; } = [];
    public TimeSpan? SessionTimeout { get; init; }

    public string Describe() => string.Join(", ", [.. UserNames.Select(u => $"'{u}'"), .. SessionIds.Select(s => $"session {s}")]);
}

/// <summary>How the engine answered: how many IKE SAs matched (and were deleted, or got the new lifetime).</summary>
public readonly record struct DaeAnswer(int Matched);
