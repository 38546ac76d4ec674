using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Petrel.Ike.Engine;

/// <summary>
/// An interpolated string for <see cref="IkeLog.Debug(IkeSa?, ref DebugText)"/> and <see cref="IkeLog.Drop(IkeSa?, System.Net.IPEndPoint, ref DebugText)"/>:
/// when debug is off the holes are neither formatted nor evaluated, so a debug line costs the engine no string
/// building (several per IKE SA on the setup path).
/// </summary>
[InterpolatedStringHandler]
internal ref struct DebugText
{
    private DefaultInterpolatedStringHandler _inner;

    public DebugText(int literalLength, int formattedCount, IkeLog log, out bool enabled)
    {
        enabled = log.IsEnabled(LogLevel.Debug);
        _inner = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        Enabled = enabled;
    }

    public bool Enabled { get; }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);
    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);
    public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);
    public void AppendFormatted<T>(T value, int alignment) => _inner.AppendFormatted(value, alignment);
    public void AppendFormatted<T>(T value, int alignment, string? format) => _inner.AppendFormatted(value, alignment, format);
    public void AppendFormatted(ReadOnlySpan<char> value) => _inner.AppendFormatted(value);
    public void AppendFormatted(string? value) => _inner.AppendFormatted(value);

    /// <summary>The text (only when <see cref="Enabled"/>); the handler's buffer goes back to its pool.</summary>
    public string ToStringAndClear() => Enabled ? _inner.ToStringAndClear() : "";
}
