using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Petrel.Ike.Radius;

/// <summary>
/// Sends RADIUS requests (RFC 2865 Access-Request, RFC 2866 Accounting-Request) and waits for the verified
/// answer: each try waits timeout × base^n, a server gets <see cref="RadiusSettings.RetransmitTries"/> tries,
/// then the next server by preference is asked (a server that stopped answering is tried last until it answers
/// again). A conversation that carries State (EAP) stays on its server. Answers are matched by Identifier and
/// dropped unless their authenticators verify with that server's secret. At most 256 requests per server port
/// are outstanding (the Identifier's range), so memory stays bounded under a flood of clients.
/// </summary>
public sealed class RadiusClient : IDisposable
{
    private sealed class Pending(byte[] requestAuthenticator, byte[] secret, RadiusCode requestCode)
    {
        public byte[] RequestAuthenticator { get; } = requestAuthenticator;
        public byte[] Secret { get; } = secret;
        public RadiusCode RequestCode { get; } = requestCode;
        public TaskCompletionSource<RadiusPacket> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Channel
    {
        public required IRadiusTransport Transport { get; init; }
        public required RadiusServer Server { get; init; }
        public readonly Pending?[] Slots = new Pending?[256];
        public int Next;
        public Task? Loop;
    }

    private readonly RadiusSettings _settings;
    private readonly RadiusTransportFactory _transports;
    private readonly ILogger _log;
    private readonly Dictionary<(string Server, bool Accounting), Channel> _channels = [];
    private readonly Dictionary<string, DateTime> _unanswered = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private long _dropped;

    public RadiusClient(RadiusSettings settings, RadiusTransportFactory transports, ILogger? log = null)
    {
        _settings = settings;
        _transports = transports;
        _log = log ?? NullLogger.Instance;
    }

    public RadiusSettings Settings => _settings;

    /// <summary>Answers dropped: unknown Identifier, bad authenticators, malformed.</summary>
    public long DroppedResponses => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Sends a request of <paramref name="code"/> with <paramref name="attributes"/> (NAS-Identifier is added,
    /// and the authenticators) to <paramref name="pinned"/>, or to each server in turn until one answers.
    /// <paramref name="hidden"/> adds attributes that depend on the server's secret and the Request Authenticator
    /// (User-Password, RFC 2865 §5.2), made again for each server tried.
    /// </summary>
    public async Task<RadiusReply> ExchangeAsync(RadiusCode code, IReadOnlyList<RadiusAttribute> attributes, RadiusServer? pinned = null,
        CancellationToken cancellationToken = default, Func<RadiusServer, byte[], IEnumerable<RadiusAttribute>>? hidden = null)
    {
        bool accounting = code == RadiusCode.AccountingRequest;
        string error = "no RADIUS server is configured (petrel { eap-radius { servers { … } } })";
        foreach (var server in pinned is null ? Order() : [pinned])
        {
            var channel = ChannelFor(server, accounting);
            var requestAuthenticator = accounting ? new byte[16] : RandomNumberGenerator.GetBytes(16);
            var pending = new Pending(requestAuthenticator, server.Secret, code);
            if (!Reserve(channel, pending, out byte id))
            {
                error = $"{server}: 256 requests are outstanding";
                continue;
            }
            try
            {
                var packet = new RadiusPacket(code, id, requestAuthenticator, [.. attributes]);
                if (hidden is not null)
                    packet.Attributes.AddRange(hidden(server, requestAuthenticator));
                if (packet.Find(RadiusAttributeType.NasIdentifier) is null)
                    packet.Add(RadiusAttribute.Text(RadiusAttributeType.NasIdentifier, server.NasIdentifier ?? _settings.NasIdentifier));
                var bytes = accounting ? RadiusSigner.SignAccountingRequest(packet, server.Secret) : RadiusSigner.SignAccessRequest(packet, server.Secret);
                if (accounting)
                    packet.Authenticator.CopyTo(requestAuthenticator, 0);

                int tries = Math.Max(1, _settings.RetransmitTries);
                foreach (var timeout in _settings.TryWaits())
                {
                    await channel.Transport.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
                    var answered = await Task.WhenAny(pending.Answer.Task, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (answered == pending.Answer.Task)
                    {
                        lock (_gate) _unanswered.Remove(server.Name);
                        return new RadiusReply(pending.Answer.Task.Result, server, requestAuthenticator, "");
                    }
                }
                lock (_gate) _unanswered[server.Name] = DateTime.UtcNow;
                error = $"{server} did not answer ({tries} tries)";
                _log.LogWarning("{Error}{Next}", error, pinned is null ? "; trying the next server" : "");
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                lock (_gate) _unanswered[server.Name] = DateTime.UtcNow;
                error = $"{server}: {ex.Message}";
                _log.LogWarning("{Error}", error);
            }
            finally
            {
                lock (_gate) channel.Slots[id] = null;
            }
        }
        return new RadiusReply(null, null, [], error);
    }

    /// <summary>Servers by preference; those that stopped answering after those that did not.</summary>
    private List<RadiusServer> Order()
    {
        var ordered = _settings.ByPreference();
        lock (_gate)
            return [.. ordered.Where(s => !_unanswered.ContainsKey(s.Name)), .. ordered.Where(s => _unanswered.ContainsKey(s.Name)).OrderBy(s => _unanswered[s.Name])];
    }

    private Channel ChannelFor(RadiusServer server, bool accounting)
    {
        lock (_gate)
        {
            if (_channels.TryGetValue((server.Name, accounting), out var c))
                return c;
            var endpoint = new IPEndPoint(server.Address, accounting ? server.AcctPort : server.AuthPort);
            c = new Channel { Transport = _transports(endpoint), Server = server };
            _channels[(server.Name, accounting)] = c;
            c.Loop = Task.Run(() => ReceiveLoop(c));
            return c;
        }
    }

    private bool Reserve(Channel channel, Pending pending, out byte id)
    {
        lock (_gate)
        {
            for (int n = 0; n < 256; n++)
            {
                int candidate = (channel.Next + n) & 0xff;
                if (channel.Slots[candidate] is null)
                {
                    channel.Slots[candidate] = pending;
                    channel.Next = candidate + 1;
                    id = (byte)candidate;
                    return true;
                }
            }
        }
        id = 0;
        return false;
    }

    private async Task ReceiveLoop(Channel channel)
    {
        var buffer = new byte[RadiusPacket.MaxLength];
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await channel.Transport.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (System.Net.Sockets.SocketException)
            {
                // ICMP port unreachable shows up here on a connected socket: the try simply times out.
                continue;
            }
            Accept(channel, buffer.AsSpan(0, n));
        }
    }

    private void Accept(Channel channel, ReadOnlySpan<byte> datagram)
    {
        if (!RadiusPacket.TryDecode(datagram, out var packet, out string error))
        {
            Drop(channel, error);
            return;
        }
        Pending? pending;
        lock (_gate) pending = channel.Slots[packet!.Identifier];
        if (pending is null || !Answers(pending.RequestCode, packet.Code))
        {
            Drop(channel, $"{packet.Code} with Identifier {packet.Identifier} answers no outstanding request");
            return;
        }
        if (!RadiusSigner.VerifyResponse(datagram, pending.RequestAuthenticator, pending.Secret, out error))
        {
            Drop(channel, error);
            return;
        }
        pending.Answer.TrySetResult(packet);
    }

    private static bool Answers(RadiusCode request, RadiusCode response) => request == RadiusCode.AccountingRequest
        ? response == RadiusCode.AccountingResponse
        : response is RadiusCode.AccessAccept or RadiusCode.AccessReject or RadiusCode.AccessChallenge;

    private void Drop(Channel channel, string why)
    {
        Interlocked.Increment(ref _dropped);
        _log.LogDebug("dropped an answer from {Server}: {Why}", channel.Server, why);
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_gate)
        {
            foreach (var c in _channels.Values)
                c.Transport.Dispose();
            _channels.Clear();
        }
    }
}
