using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Engine;

namespace Petrel.Daemon.Events;

/// <summary>One item of a subscription: an SA event or a log line (exactly one is set).</summary>
public readonly record struct FeedItem(SaEvent? Event, LogLine? Log);

/// <summary>
/// The daemon's event feed: the engine's SA events (<see cref="IkeEngine.Events"/>, published on the engine
/// thread) and every log line (<see cref="FeedLoggerProvider"/>, any thread), fanned out to subscribers,
/// plus the last <see cref="RecentCapacity"/> SA events for late joiners (the dashboard's "recent events").
/// </summary>
/// <remarks>
/// Publishing never blocks and never allocates per subscriber beyond the item: each subscription is a
/// bounded channel, and an item that does not fit is dropped for that subscriber alone and counted in
/// <see cref="FeedSubscription.Dropped"/>. The engine never waits for a reader.
/// Use: <c>using var sub = hub.Subscribe(events: true, logLevel: LogLevel.Information);</c> then
/// <c>await foreach (var item in sub.Reader.ReadAllAsync(ct))</c>.
/// </remarks>
public sealed class EventHub
{
    public const int DefaultCapacity = 1024;
    public const int RecentCapacity = 200;

    private readonly object _gate = new();
    private FeedSubscription[] _subscribers = [];
    private readonly Queue<SaEvent> _recent = new();
    private volatile int _minLogLevel = (int)LogLevel.None;
    private long _published;

    /// <summary>SA events published since start.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Called after each SA event (on the engine thread): metrics hook here; must not block.</summary>
    public event Action<SaEvent>? EventPublished;

    /// <summary>The engine's sink: <c>engine.Events = hub.Publish</c>.</summary>
    public void Publish(SaEvent e)
    {
        Interlocked.Increment(ref _published);
        lock (_recent)
        {
            _recent.Enqueue(e);
            while (_recent.Count > RecentCapacity) _recent.Dequeue();
        }
        EventPublished?.Invoke(e);
        var item = new FeedItem(e, null);
        foreach (var s in Volatile.Read(ref _subscribers))
            if (s.WantsEvents) s.Offer(item);
    }

    /// <summary>True when some subscriber wants lines of this level (the logger provider asks before formatting).</summary>
    public bool WantsLog(LogLevel level) => level != LogLevel.None && (int)level >= _minLogLevel;

    public void Publish(LogLine line)
    {
        var item = new FeedItem(null, line);
        foreach (var s in Volatile.Read(ref _subscribers))
            if (line.Level >= s.LogLevel) s.Offer(item);
    }

    /// <summary>The last SA events, oldest first (any thread).</summary>
    public IReadOnlyList<SaEvent> Recent()
    {
        lock (_recent) return _recent.ToArray();
    }

    /// <summary>
    /// A new subscription. <paramref name="logLevel"/> = <see cref="LogLevel.None"/> for no log lines.
    /// Dispose it to leave; items that do not fit in <paramref name="capacity"/> are dropped and counted.
    /// </summary>
    public FeedSubscription Subscribe(bool events, LogLevel logLevel, int capacity = DefaultCapacity)
    {
        var s = new FeedSubscription(this, events, logLevel, capacity);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, s];
            Recompute();
        }
        return s;
    }

    internal void Remove(FeedSubscription s)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, x => !ReferenceEquals(x, s));
            Recompute();
        }
    }

    public int Subscribers => Volatile.Read(ref _subscribers).Length;

    private void Recompute()
    {
        int min = (int)LogLevel.None;
        foreach (var s in _subscribers)
            if (s.LogLevel != LogLevel.None) min = Math.Min(min, (int)s.LogLevel);
        _minLogLevel = min;
    }
}

/// <summary>One subscriber's bounded queue. Read <see cref="Reader"/>; dispose to unsubscribe.</summary>
public sealed class FeedSubscription : IDisposable
{
    private readonly EventHub _hub;
    private readonly Channel<FeedItem> _channel;
    private long _dropped;
    private int _disposed;

    internal FeedSubscription(EventHub hub, bool events, LogLevel logLevel, int capacity)
    {
        _hub = hub;
        WantsEvents = events;
        LogLevel = logLevel;
        _channel = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once: the item is dropped, never waited for
            SingleReader = true,
        });
    }

    public bool WantsEvents { get; }
    public LogLevel LogLevel { get; }
    public ChannelReader<FeedItem> Reader => _channel.Reader;

    /// <summary>Items this subscriber lost because its queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Offer(FeedItem item)
    {
        if (!_channel.Writer.TryWrite(item)) Interlocked.Increment(ref _dropped);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _hub.Remove(this);
        _channel.Writer.TryComplete();
    }
}
