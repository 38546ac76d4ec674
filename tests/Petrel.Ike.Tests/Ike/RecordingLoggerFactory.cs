using Microsoft.Extensions.Logging;

namespace Petrel.Ike.Tests.Ike;

/// <summary>Keeps every log line so tests can assert on what an operator would read.</summary>
internal sealed class RecordingLoggerFactory(string prefix) : ILoggerFactory, ILogger
{
    public List<string> Lines { get; } = [];
    public string All => string.Join("\n", Lines);

    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{prefix} {logLevel}: {formatter(state, exception)}";
        Lines.Add(line);
        if (Environment.GetEnvironmentVariable("PETREL_TEST_LOG") is not null) Console.WriteLine(line);
    }
}
