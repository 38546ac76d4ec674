using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Petrel.Vici;

/// <summary>
/// One client of the vici socket. Packets are read one at a time: a command is answered before the next
/// packet is read (the protocol has no request ids, so one command is active per connection). Everything
/// the server sends goes through one bounded queue and one writer task, so events raised on other threads
/// interleave with responses without tearing packets. A client that does not read its events loses them
/// (counted) instead of growing the daemon's memory; responses and streamed listings wait for room.
/// </summary>
public sealed class ViciSession
{
    /// <summary>Packets queued for one client before further events are dropped.</summary>
    public const int QueueCapacity = 1024;

    private readonly Socket _socket;
    private readonly ViciDispatcher _dispatcher;
    private readonly ILogger _log;
    private readonly Channel<byte[]> _out = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
    private readonly HashSet<string> _events = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _dropped;

    public ViciSession(Socket socket, ViciDispatcher dispatcher, ILogger log)
    {
        _socket = socket;
        _dispatcher = dispatcher;
        _log = log;
    }

    /// <summary>Events dropped because this client's queue was full.</summary>
    public long DroppedEvents => Interlocked.Read(ref _dropped);

    /// <summary>While an initiate or terminate runs: the connection whose log lines become control-log events.</summary>
    public ViciControlScope? Control
    {
        get => _control;
        set
        {
            _control = value;
            _dispatcher.Server.OnListenersChanged();
        }
    }

    private volatile ViciControlScope? _control;

    public bool IsRegistered(string name)
    {
        lock (_lock) return _events.Contains(name);
    }

    /// <summary>Queues an event if the client registered for it; drops it when the client is not keeping up.</summary>
    public void TrySendEvent(string name, byte[] message)
    {
        if (!IsRegistered(name)) return;
        if (!_out.Writer.TryWrite(ViciPacket.Encode(ViciPacketType.Event, name, message)))
            Interlocked.Increment(ref _dropped);
    }

    /// <summary>Streams an event that is part of a command's answer (list-sa, list-conn …): waits for room rather than dropping.</summary>
    public async Task StreamEventAsync(string name, byte[] message, CancellationToken cancel)
    {
        if (!IsRegistered(name)) return;
        await _out.Writer.WriteAsync(ViciPacket.Encode(ViciPacketType.Event, name, message), cancel).ConfigureAwait(false);
    }

    private ValueTask SendAsync(ViciPacketType type, byte[] message, CancellationToken cancel) =>
        _out.Writer.WriteAsync(ViciPacket.Encode(type, null, message), cancel);

    public async Task RunAsync(CancellationToken cancel)
    {
        using var _ = _socket;
        await using var stream = new NetworkStream(_socket, ownsSocket: false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var writer = WriteLoopAsync(stream, stop.Token);
        try
        {
            await ReadLoopAsync(stream, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or ChannelClosedException)
        {
            // The client went away, or the daemon is stopping.
        }
        finally
        {
            _out.Writer.TryComplete();
            stop.CancelAfter(TimeSpan.FromSeconds(2)); // let a last error reply out, but do not wait on a client that does not read
            try { await writer.ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
            _dispatcher.Server.Remove(this);
        }
    }

    private async Task WriteLoopAsync(NetworkStream stream, CancellationToken cancel)
    {
        await foreach (var packet in _out.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            await stream.WriteAsync(packet, cancel).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync(NetworkStream stream, CancellationToken cancel)
    {
        var header = new byte[4];
        while (!cancel.IsCancellationRequested)
        {
            if (!await ReadExactlyAsync(stream, header, cancel).ConfigureAwait(false))
                return;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length == 0 || length > ViciPacket.MaxLength)
            {
                // The length cannot be trusted, so neither can anything after it: the stream is out of step.
                _log.LogWarning("vici: closing a client that sent a packet of {Length} bytes (allowed 1 to {Max})", length, ViciPacket.MaxLength);
                return;
            }
            var body = new byte[length];
            if (!await ReadExactlyAsync(stream, body, cancel).ConfigureAwait(false))
                return;
            if (!ViciPacket.TryParse(body, out var packet, out string error))
            {
                _log.LogWarning("vici: closing a client that sent a malformed packet: {Error}", error);
                return;
            }
            if (!await HandleAsync(packet, cancel).ConfigureAwait(false))
                return;
        }
    }

    /// <summary>False when the connection should close (a packet type only the server sends).</summary>
    private async Task<bool> HandleAsync(ViciPacket packet, CancellationToken cancel)
    {
        switch (packet.Type)
        {
            case ViciPacketType.CmdRequest:
                var (type, reply) = await _dispatcher.HandleAsync(packet.Name!, packet.Message, this, cancel).ConfigureAwait(false);
                await SendAsync(type, reply, cancel).ConfigureAwait(false);
                return true;
            case ViciPacketType.EventRegister:
            case ViciPacketType.EventUnregister:
                bool known = ViciDispatcher.IsEvent(packet.Name!);
                if (known)
                {
                    lock (_lock)
                    {
                        if (packet.Type == ViciPacketType.EventRegister) _events.Add(packet.Name!);
                        else _events.Remove(packet.Name!);
                    }
                    _dispatcher.Server.OnListenersChanged();
                }
                await SendAsync(known ? ViciPacketType.EventConfirm : ViciPacketType.EventUnknown, [], cancel).ConfigureAwait(false);
                return true;
            default:
                _log.LogWarning("vici: closing a client that sent a {Type} packet, which only the server sends", packet.Type);
                return false;
        }
    }

    private static async Task<bool> ReadExactlyAsync(NetworkStream stream, byte[] buffer, CancellationToken cancel)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(read), cancel).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}

/// <summary>The connection (and minimum level) whose log lines an active initiate/terminate streams as control-log.</summary>
public sealed record ViciControlScope(string? Connection, int Level);
