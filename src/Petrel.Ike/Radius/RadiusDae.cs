using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Petrel.Ike.Radius;

/// <summary>
/// RADIUS Dynamic Authorization (RFC 5176) as strongSwan's eap-radius plugin serves it: a Disconnect-Request deletes
/// the IKE SAs it names (Disconnect-ACK) or, naming none, gets a Disconnect-NAK; a CoA-Request with Session-Timeout
/// gives the named IKE SAs that lifetime (CoA-ACK), without one, or naming none, a CoA-NAK. Requests are verified
/// with the DAE secret (Request Authenticator, and Message-Authenticator when present) and dropped otherwise; the
/// last answer to each client is kept, so a retransmitted request (same Identifier) gets the same answer without
/// being applied twice. The number of clients remembered is bounded.
/// </summary>
public sealed class RadiusDae : IDisposable
{
    /// <summary>Clients whose last answer is kept for retransmissions (the oldest is forgotten beyond this).</summary>
    public const int RememberedClients = 64;

    private readonly RadiusDaeSettings _settings;
    private readonly Func<DaeRequest, Task<DaeAnswer>> _apply;
    private readonly ILogger _log;
    private readonly LinkedList<(IPEndPoint Client, byte Identifier, byte[] Answer)> _answers = new();
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private UdpClient? _socket;
    private Task? _loop;
    private long _dropped;

    /// <param name="apply">Runs a request on the engine's thread and says how many IKE SAs matched.</param>
    public RadiusDae(RadiusDaeSettings settings, Func<DaeRequest, Task<DaeAnswer>> apply, ILogger? log = null)
    {
        _settings = settings;
        _apply = apply;
        _log = log ?? NullLogger.Instance;
    }

    public RadiusDaeSettings Settings => _settings;

    /// <summary>Requests dropped: malformed, not a DAE request, or not signed with the secret.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The bound address (port 0 in the settings picks one).</summary>
    public IPEndPoint? LocalEndPoint => _socket?.Client.LocalEndPoint as IPEndPoint;

    /// <summary>Binds the socket and starts answering.</summary>
    public void Start()
    {
        _socket = new UdpClient(_settings.Listen);
        _loop = Task.Run(ReceiveLoop);
        _log.LogInformation("RADIUS DAE (RFC 5176) listening on {Endpoint}", LocalEndPoint);
    }

    private async Task ReceiveLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _socket!.ReceiveAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            try
            {
                if (await AnswerAsync(received.Buffer, received.RemoteEndPoint).ConfigureAwait(false) is { } answer)
                    await _socket!.SendAsync(answer, received.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One request's failure (the engine stopping, a send error) must not end the listener.
                _log.LogWarning("answering the RADIUS DAE request from {Client} failed: {Error}", received.RemoteEndPoint, e.Message);
            }
        }
    }

    /// <summary>The answer to one datagram from <paramref name="client"/>, or null when it is dropped.</summary>
    public async Task<byte[]?> AnswerAsync(byte[] datagram, IPEndPoint client)
    {
        if (!RadiusPacket.TryDecode(datagram, out var request, out string error))
            return Drop(client, $"malformed: {error}");
        if (request!.Code is not (RadiusCode.DisconnectRequest or RadiusCode.CoaRequest))
            return Drop(client, $"{request.Code} is not a Disconnect- or CoA-Request");
        lock (_gate)
        {
            foreach (var (c, id, answer) in _answers)
                if (c.Equals(client) && id == request.Identifier)
                {
                    _log.LogInformation("received a retransmit of RADIUS {Code} from {Client}, answering as before", request.Code, client);
                    return answer;
                }
        }
        // RFC 5176 §3.5: the Request Authenticator is MD5 over the request with 16 zero octets in its place, and the secret.
        if (!RadiusSigner.VerifyResponse(datagram, new byte[RadiusPacket.AuthenticatorLength], _settings.Secret, out error))
            return Drop(client, error);

        var dae = Parse(request);
        bool disconnect = dae.Disconnect;
        RadiusCode code;
        uint? cause = null;
        string what = disconnect ? "Disconnect-Request" : "CoA-Request";
        if (dae.UserNames.Count == 0 && dae.SessionIds.Count == 0)
        {
            code = disconnect ? RadiusCode.DisconnectNak : RadiusCode.CoaNak;
            cause = RadiusAttributeType.ErrorMissingAttribute;
            _log.LogWarning("RADIUS {What} from {Client} names no session (no User-Name or Acct-Session-Id), sending {Code}", what, client, code);
        }
        else if (!disconnect && dae.SessionTimeout is null)
        {
            code = RadiusCode.CoaNak;
            cause = RadiusAttributeType.ErrorMissingAttribute;
            _log.LogWarning("RADIUS CoA-Request from {Client} for {Who} has no Session-Timeout attribute, sending CoA-NAK", client, dae.Describe());
        }
        else
        {
            var answer = await _apply(dae).ConfigureAwait(false);
            if (answer.Matched == 0)
            {
                code = disconnect ? RadiusCode.DisconnectNak : RadiusCode.CoaNak;
                cause = RadiusAttributeType.ErrorSessionContextNotFound;
                _log.LogInformation("RADIUS {What} from {Client}: no IKE_SA matches {Who}, sending {Code}", what, client, dae.Describe(), code);
            }
            else
            {
                code = disconnect ? RadiusCode.DisconnectAck : RadiusCode.CoaAck;
                _log.LogInformation(disconnect ? "RADIUS {What} from {Client}: closing {Count} IKE_SA(s) of {Who}, sending {Code}"
                    : "RADIUS {What} from {Client}: {Count} IKE_SA(s) of {Who} now end after the Session-Timeout, sending {Code}", what, client, answer.Matched, dae.Describe(), code);
            }
        }
        var response = new RadiusPacket(code, request.Identifier, new byte[RadiusPacket.AuthenticatorLength]);
        if (cause is { } c2) response.Add(RadiusAttribute.Integer(RadiusAttributeType.ErrorCause, c2));
        var bytes = Sign(response, request.Authenticator, _settings.Secret);
        lock (_gate)
        {
            for (var n = _answers.First; n is not null; n = n.Next)
                if (n.Value.Client.Equals(client)) { _answers.Remove(n); break; }
            _answers.AddFirst((client, request.Identifier, bytes));
            while (_answers.Count > RememberedClients) _answers.RemoveLast();
        }
        return bytes;
    }

    /// <summary>The session identification and the CoA's Session-Timeout of a verified request.</summary>
    public static DaeRequest Parse(RadiusPacket request)
    {
        var users = new List<string>();
        var sessions = new List<string>();
        TimeSpan? timeout = null;
        foreach (var a in request.Attributes)
        {
            if (a.Type == RadiusAttributeType.UserName && a.Value.Length > 0) users.Add(Encoding.UTF8.GetString(a.Value));
            else if (a.Type == RadiusAttributeType.AcctSessionId && a.Value.Length > 0) sessions.Add(Encoding.UTF8.GetString(a.Value));
            else if (a.Type == RadiusAttributeType.SessionTimeout && timeout is null && a.TryGetInteger(out uint seconds)) timeout = TimeSpan.FromSeconds(seconds);
        }
        return new DaeRequest { Disconnect = request.Code == RadiusCode.DisconnectRequest, UserNames = users, SessionIds = sessions, SessionTimeout = timeout };
    }

    /// <summary>A response's authenticator: MD5(Code + Identifier + Length + Request Authenticator + Attributes + Secret).</summary>
    public static byte[] Sign(RadiusPacket response, byte[] requestAuthenticator, byte[] secret)
    {
        response.Authenticator = requestAuthenticator;
        var bytes = response.Encode();
        System.Security.Cryptography.MD5.HashData([.. bytes, .. secret]).CopyTo(bytes, 4);
        return bytes;
    }

    private byte[]? Drop(IPEndPoint client, string why)
    {
        long n = Interlocked.Increment(ref _dropped);
        // A flood of forged requests must not flood the log: the first, then every 1000th.
        if (n == 1 || n % 1000 == 0)
            _log.LogWarning("dropped a RADIUS DAE request from {Client}: {Why} ({Count} dropped so far)", client, why, n);
        return null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket?.Dispose();
    }
}
