using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Petrel.Ike.Engine;

/// <summary>
/// The engine's log: one line per event, tagged with the IKE SA (<c>name[id]</c>, or "-"), plus the
/// rate-limited lines about packets nobody has authenticated yet. Engine thread only.
/// </summary>
internal sealed class IkeLog(ILogger log, IkeCounters counters, Func<TimeSpan> now)
{
    /// <summary>Lines caused by packets not yet authenticated: once per kind and window, then a count.</summary>
    public UnauthenticatedLog Unauthenticated { get; } = new(log, now);

    public bool IsEnabled(LogLevel level) => log.IsEnabled(level);

    /// <summary>Counts a dropped datagram; says why at debug level.</summary>
    public void Drop(IkeSa? sa, IPEndPoint remote, string why)
    {
        counters.DroppedDatagrams++;
        if (log.IsEnabled(LogLevel.Debug))
            log.LogDebug("{IkeSa}: dropped datagram from {Remote}: {Why}", sa?.Tag ?? "-", remote, why);
    }

    /// <summary>Counts a dropped datagram; the reason is built and logged only at debug level.</summary>
    public void Drop(IkeSa? sa, IPEndPoint remote, [InterpolatedStringHandlerArgument("")] ref DebugText why)
    {
        counters.DroppedDatagrams++;
        if (why.Enabled)
            log.LogDebug("{IkeSa}: dropped datagram from {Remote}: {Why}", sa?.Tag ?? "-", remote, why.ToStringAndClear());
    }

    public void Debug(IkeSa? sa, string message)
    {
        if (log.IsEnabled(LogLevel.Debug)) log.LogDebug("{IkeSa}: {Event}", sa?.Tag ?? "-", message);
    }

    /// <summary>A debug line whose interpolation is skipped when debug is off.</summary>
    public void Debug(IkeSa? sa, [InterpolatedStringHandlerArgument("")] ref DebugText message)
    {
        if (message.Enabled) log.LogDebug("{IkeSa}: {Event}", sa?.Tag ?? "-", message.ToStringAndClear());
    }

    public void Info(IkeSa? sa, string message) => log.LogInformation("{IkeSa}: {Event}", sa?.Tag ?? "-", message);

    public void Warn(IkeSa? sa, string message) => log.LogWarning("{IkeSa}: {Event}", sa?.Tag ?? "-", message);

    public void Error(IkeSa? sa, string message) => log.LogError("{IkeSa}: {Event}", sa?.Tag ?? "-", message);
}
