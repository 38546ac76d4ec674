using Microsoft.Extensions.Logging;

namespace Petrel.Daemon.Events;

/// <summary>
/// One log record as the feed carries it: already formatted, immutable, safe to hand to any thread.
/// <see cref="Fields"/> are the SA tags the text format appends ("ike_sa", "unique_id", "child", "peer").
/// </summary>
public sealed record LogLine(DateTimeOffset Time, LogLevel Level, string Category, string Message,
    IReadOnlyList<KeyValuePair<string, string>> Fields, string? Exception = null);
