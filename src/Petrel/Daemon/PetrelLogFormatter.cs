using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Petrel.Daemon;

/// <summary>
/// One line per event on stderr: UTC timestamp, level, category, message, then the IKE SA name
/// and unique id when the event carries them ("ike_sa=lab unique_id=3"), so lines can be
/// grepped per SA. Exceptions add their type and message on the same line, not a stack trace.
/// </summary>
public sealed class PetrelLogFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "petrel";

    /// <summary>Structured-state keys that identify an SA, and the field name they are printed as.</summary>
    private static readonly (string Key, string Field)[] SaKeys =
    [
        ("IkeSa", "ike_sa"), ("IkeSaName", "ike_sa"), ("Connection", "ike_sa"),
        ("UniqueId", "unique_id"), ("IkeSaId", "unique_id"), ("Child", "child"), ("ChildSa", "child"),
        ("Peer", "peer"),
    ];

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter writer)
    {
        string message = entry.Formatter(entry.State, entry.Exception);
        if (message.Length == 0 && entry.Exception is null)
            return;
        writer.Write(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));
        writer.Write(' ');
        writer.Write(Level(entry.LogLevel));
        writer.Write(' ');
        writer.Write(entry.Category);
        writer.Write(": ");
        writer.Write(OneLine(message));
        var written = new List<string>(2);
        if (entry.State is IReadOnlyList<KeyValuePair<string, object?>> fields)
            AppendFields(fields, writer, written);
        scopeProvider?.ForEachScope((scope, w) =>
        {
            if (scope is IReadOnlyList<KeyValuePair<string, object?>> f)
                AppendFields(f, w, written);
        }, writer);
        if (entry.Exception is { } e)
        {
            writer.Write(" exception=");
            writer.Write(e.GetType().Name);
            writer.Write(": ");
            writer.Write(OneLine(e.Message));
        }
        writer.Write('\n');
    }

    private static void AppendFields(IReadOnlyList<KeyValuePair<string, object?>> fields, TextWriter writer, List<string> written)
    {
        foreach (var (key, field) in SaKeys)
        {
            foreach (var kv in fields)
            {
                if (kv.Key != key || kv.Value is null || written.Contains(field))
                    continue;
                written.Add(field);
                string value = OneLine(kv.Value.ToString() ?? "");
                // The engine tags SAs as strongSwan does, "lab[3]": split into name and unique id.
                int open = value.LastIndexOf('[');
                if (field == "ike_sa" && open > 0 && value.EndsWith(']') && uint.TryParse(value.AsSpan(open + 1, value.Length - open - 2), out uint id)
                    && !written.Contains("unique_id"))
                {
                    written.Add("unique_id");
                    writer.Write($" ike_sa={value[..open]} unique_id={id}");
                    continue;
                }
                writer.Write(' ');
                writer.Write(field);
                writer.Write('=');
                writer.Write(value);
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info ",
        LogLevel.Warning => "warn ",
        LogLevel.Error => "error",
        LogLevel.Critical => "crit ",
        _ => "none ",
    };

    private static string OneLine(string s) => s.Contains('\n') ? s.Replace("\r", "").Replace("\n", " | ") : s;
}
