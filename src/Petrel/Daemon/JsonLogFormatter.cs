using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Petrel.Daemon.Events;

namespace Petrel.Daemon;

/// <summary>
/// petrel { log_format = json }: one JSON object per line on stderr, with the same content as the text
/// format: {"time":"…Z","level":"info","category":"Petrel.Ike","message":"…","ike_sa":"lab","unique_id":3}
/// and "exception" ("Type: message") when there is one. Newlines inside a message become " | ".
/// </summary>
public sealed class JsonLogFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "petrel-json";

    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter writer)
    {
        string message = entry.Formatter(entry.State, entry.Exception);
        if (message.Length == 0 && entry.Exception is null)
            return;
        var line = new LogLine(DateTimeOffset.UtcNow, entry.LogLevel, entry.Category, LogFields.OneLine(message), LogFields.Extract(entry.State, scopeProvider),
            entry.Exception is { } e ? $"{e.GetType().Name}: {LogFields.OneLine(e.Message)}" : null);
        writer.Write(Format(line));
        writer.Write('\n');
    }

    public static string Format(LogLine line) => FeedJson.Log(line).ToJsonString(Options);
}
