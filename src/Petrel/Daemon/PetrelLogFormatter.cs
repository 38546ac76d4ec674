using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Petrel.Daemon.Events;

namespace Petrel.Daemon;

/// <summary>
/// One line per event on stderr: UTC timestamp, level, category, message, then the IKE SA name
/// and unique id when the event carries them ("ike_sa=lab unique_id=3"), so lines can be
/// grepped per SA. Exceptions add their type and message on the same line, not a stack trace.
/// </summary>
public sealed class PetrelLogFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "petrel";

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
        writer.Write(LogFields.OneLine(message));
        foreach (var (field, value) in LogFields.Extract(entry.State, scopeProvider))
        {
            writer.Write(' ');
            writer.Write(field);
            writer.Write('=');
            writer.Write(value);
        }
        if (entry.Exception is { } e)
        {
            writer.Write(" exception=");
            writer.Write(e.GetType().Name);
            writer.Write(": ");
            writer.Write(LogFields.OneLine(e.Message));
        }
        writer.Write('\n');
    }

    /// <summary>The same line for a record taken from the live feed (`petrel log`).</summary>
    public static string Format(LogLine line)
    {
        var b = new System.Text.StringBuilder(128);
        b.Append(line.Time.UtcDateTime.ToString(FeedJson.TimeFormat, System.Globalization.CultureInfo.InvariantCulture))
            .Append(' ').Append(Level(line.Level)).Append(' ').Append(line.Category).Append(": ").Append(line.Message);
        foreach (var (field, value) in line.Fields)
            b.Append(' ').Append(field).Append('=').Append(value);
        if (line.Exception is not null) b.Append(" exception=").Append(line.Exception);
        return b.ToString();
    }

    private static string Level(LogLevel level) => LogFields.Level(level).PadRight(5);
}
