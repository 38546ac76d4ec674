using Microsoft.Extensions.Logging;

namespace Petrel.Ike.Engine;

/// <summary>
/// Log lines caused by packets nobody has authenticated yet (IKE_SA_INIT requests, COOKIE demands,
/// proposal mismatches): anyone can send those at line rate, so each kind of line is written at most
/// once per <see cref="Window"/>; what was held back is summed up in one line when the window ends
/// ("… and 41234 more like it from 40960 addresses in the last 10 s"). Engine thread only.
/// </summary>
internal sealed class UnauthenticatedLog(ILogger log, Func<TimeSpan> now)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private const int MaxAddressesCounted = 65536;

    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);

    /// <summary>
    /// True when a line of this kind may be written now (its kind was quiet for a window): the caller then formats
    /// it and calls <see cref="Write"/>. Otherwise the line is only counted, and nothing is formatted for it.
    /// </summary>
    public bool Admit(LogLevel level, string kind, System.Net.IPAddress? from)
    {
        if (!log.IsEnabled(level)) return false;
        var t = now();
        if (!_kinds.TryGetValue(kind, out var k)) _kinds[kind] = k = new Kind(level);
        if (k.WindowEnd > t)
        {
            k.Suppressed++;
            if (from is not null && k.Addresses.Count < MaxAddressesCounted) k.Addresses.Add(from);
            return false;
        }
        Flush(k, kind);
        k.WindowEnd = t + Window;
        return true;
    }

    /// <summary>Writes a line <see cref="Admit"/> let through.</summary>
    public void Write(LogLevel level, string message) => log.Log(level, "{IkeSa}: {Event}", "-", message);

    /// <summary>Writes the summaries of windows that have ended (called from the engine's timers).</summary>
    public void Tick()
    {
        if (_kinds.Count == 0) return;
        var t = now();
        foreach (var (kind, k) in _kinds)
        {
            if (k.WindowEnd > t || k.Suppressed == 0) continue;
            Flush(k, kind);
        }
    }

    private void Flush(Kind k, string kind)
    {
        if (k.Suppressed == 0) return;
        string from = k.Addresses.Count == 0 ? "" : k.Addresses.Count >= MaxAddressesCounted ? $" from {MaxAddressesCounted}+ addresses" : $" from {k.Addresses.Count} address{(k.Addresses.Count == 1 ? "" : "es")}";
        log.Log(k.Level, "{IkeSa}: {Event}", "-", $"{k.Suppressed} more '{kind}'{from} in the last {Window.TotalSeconds:0} s (logged once per {Window.TotalSeconds:0} s)");
        k.Suppressed = 0;
        k.Addresses.Clear();
    }

    private sealed class Kind(LogLevel level)
    {
        public LogLevel Level { get; } = level;
        public TimeSpan WindowEnd { get; set; } = TimeSpan.MinValue;
        public long Suppressed { get; set; }
        public HashSet<System.Net.IPAddress> Addresses { get; } = [];
    }
}
