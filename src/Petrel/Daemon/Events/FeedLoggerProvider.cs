using Microsoft.Extensions.Logging;

namespace Petrel.Daemon.Events;

/// <summary>
/// Copies every log record into the <see cref="EventHub"/> for live log subscribers (`petrel log`, vici's
/// log event, the dashboard). Formats a record only when a subscriber wants its level, so with nobody
/// listening a log call costs one comparison here.
/// </summary>
public sealed class FeedLoggerProvider(EventHub hub) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider? _scopes;

    public ILogger CreateLogger(string categoryName) => new FeedLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class FeedLogger(FeedLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => provider.Hub.WantsLog(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!provider.Hub.WantsLog(logLevel)) return;
            string message = LogFields.OneLine(formatter(state, exception));
            if (message.Length == 0 && exception is null) return;
            provider.Hub.Publish(new LogLine(DateTimeOffset.UtcNow, logLevel, category, message, LogFields.Extract(state, provider._scopes),
                exception is null ? null : $"{exception.GetType().Name}: {LogFields.OneLine(exception.Message)}"));
        }
    }

    internal EventHub Hub => hub;
}
