using Microsoft.Extensions.Logging;

namespace Petrel.Daemon.Events;

/// <summary>
/// The SA tags of a log record, taken from its structured state and scopes: the IKE SA name and unique id
/// (the engine's "lab[3]" is split in two), the CHILD_SA and the peer. Shared by the text and JSON
/// formats and the live log feed, so all three name them alike.
/// </summary>
public static class LogFields
{
    /// <summary>Structured-state keys that identify an SA, and the field name they are written as.</summary>
    private static readonly (string Key, string Field)[] SaKeys =
    [
        ("IkeSa", "ike_sa"), ("IkeSaName", "ike_sa"), ("Connection", "ike_sa"),
        ("UniqueId", "unique_id"), ("IkeSaId", "unique_id"), ("Child", "child"), ("ChildSa", "child"),
        ("Peer", "peer"),
    ];

    public static List<KeyValuePair<string, string>> Extract<TState>(TState state, IExternalScopeProvider? scopes)
    {
        var written = new List<KeyValuePair<string, string>>(2);
        if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            Append(fields, written);
        scopes?.ForEachScope((scope, w) =>
        {
            if (scope is IReadOnlyList<KeyValuePair<string, object?>> f)
                Append(f, w);
        }, written);
        return written;
    }

    private static bool Has(List<KeyValuePair<string, string>> written, string field) => written.Exists(kv => kv.Key == field);

    private static void Append(IReadOnlyList<KeyValuePair<string, object?>> fields, List<KeyValuePair<string, string>> written)
    {
        foreach (var (key, field) in SaKeys)
        {
            foreach (var kv in fields)
            {
                if (kv.Key != key || kv.Value is null || Has(written, field))
                    continue;
                string value = OneLine(kv.Value.ToString() ?? "");
                // The engine tags SAs as strongSwan does, "lab[3]": split into name and unique id.
                int open = value.LastIndexOf('[');
                if (field == "ike_sa" && open > 0 && value.EndsWith(']') && uint.TryParse(value.AsSpan(open + 1, value.Length - open - 2), out uint id)
                    && !Has(written, "unique_id"))
                {
                    written.Add(new("ike_sa", value[..open]));
                    written.Add(new("unique_id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    continue;
                }
                written.Add(new(field, value));
            }
        }
    }

    /// <summary>Every record is one line: embedded newlines become " | ".</summary>
    public static string OneLine(string s) => s.Contains('\n') ? s.Replace("\r", "").Replace("\n", " | ") : s;

    /// <summary>The five-letter level names of the text format, trimmed ("info", "warn" …) for JSON.</summary>
    public static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    public static bool TryParseLevel(string text, out LogLevel level)
    {
        level = text.Trim().ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "crit" or "critical" => LogLevel.Critical,
            _ => LogLevel.None,
        };
        return level != LogLevel.None;
    }
}
