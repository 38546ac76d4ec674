using Petrel.Ike.Eap;

namespace Petrel.Ike.Radius;

/// <summary>
/// EAP-RADIUS (strongSwan's eap-radius, RFC 3579 §2.1): the gateway runs no method itself but relays the client's
/// EAP to a RADIUS server. <see cref="Start"/> sends the client's identity as an EAP-Response/Identity in the first
/// Access-Request; each later Response goes out with the State of the last challenge. Every call returns
/// <see cref="EapServerStepKind.Pending"/> at once; when the answer arrives it is handed to the engine's thread
/// (<see cref="RadiusService.Post"/>), kept, and <see cref="EapServerContext.Resume"/> makes the engine process the
/// same IKE message again, which then gets the kept answer. A repeated call for the message in flight sends nothing,
/// so the client's retransmissions never become extra Access-Requests.
/// </summary>
public sealed class RadiusEapServer : IEapServer
{
    private readonly RadiusService _service;
    private readonly EapServerContext _context;
    private readonly RadiusEapConversation _conversation;
    private byte[]? _inFlight;
    private RadiusEapOutcome? _answer;
    private EapType _relayed;

    public RadiusEapServer(RadiusService service, EapServerContext context, RadiusSessionContext session)
    {
        _service = service;
        _context = context;
        _conversation = new RadiusEapConversation(service.Client, context.PeerIdentity, session);
    }

    public string Name => _relayed == EapType.None ? "EAP-RADIUS" : $"EAP-RADIUS ({EapTypeNames.Of(_relayed)})";

    public ReadOnlyMemory<byte> Msk { get; private set; } = ReadOnlyMemory<byte>.Empty;

    public bool PassThrough => true;

    /// <summary>The Access-Accept's outcome once the server accepted the client (Framed-IP-Address, Class, intervals).</summary>
    public RadiusEapOutcome? Accepted { get; private set; }

    /// <summary>The server the conversation runs with (for the log and accounting).</summary>
    public RadiusServer? Server => _conversation.Server;

    public EapServerStep Start()
    {
        // RFC 3579 §2.1: the NAS starts with the peer's EAP-Response/Identity (strongSwan's eap_start = no).
        var identity = EapPacket.Response(0, EapType.Identity, System.Text.Encoding.UTF8.GetBytes(_context.PeerIdentity));
        return Forward(identity.Bytes);
    }

    public EapServerStep Process(EapPacket response) => Forward(response.Bytes);

    private EapServerStep Forward(byte[] eap)
    {
        if (_inFlight is not null)
        {
            if (_answer is not { } answer || !_inFlight.AsSpan().SequenceEqual(eap))
                return EapServerStep.Wait; // still asking (or a stray message): the first answer decides
            _inFlight = null;
            _answer = null;
            return Step(answer);
        }
        _inFlight = eap;
        _ = AskAsync(eap);
        return EapServerStep.Wait;
    }

    private async Task AskAsync(byte[] eap)
    {
        RadiusEapOutcome outcome;
        try
        {
            outcome = await _conversation.ForwardAsync(eap).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            outcome = new RadiusEapOutcome(RadiusEapStatus.Failed, null, $"RADIUS exchange failed: {e.Message}");
        }
        _service.Post(() =>
        {
            _answer = outcome;
            _context.Resume();
        });
    }

    private EapServerStep Step(RadiusEapOutcome outcome)
    {
        EapPacket? packet = null;
        if (outcome.Eap is { } bytes && !EapPacket.TryDecode(bytes, out packet, out string error))
            return EapServerStep.Fail(0, $"{outcome.Server} sent a malformed EAP message: {error}");
        byte id = packet?.Identifier ?? 0;
        switch (outcome.Status)
        {
            case RadiusEapStatus.Challenge when packet is { Code: EapCode.Request }:
                if (packet.Type is not (EapType.Identity or EapType.Notification or EapType.Nak)) _relayed = packet.Type;
                return EapServerStep.Send(packet);
            case RadiusEapStatus.Challenge:
                return EapServerStep.Fail(id, $"{outcome.Server} sent an Access-Challenge whose EAP message is not a Request ({packet})");
            case RadiusEapStatus.Accept:
                Accepted = outcome;
                if (outcome.Msk is { } msk) Msk = msk;
                return new EapServerStep(EapServerStepKind.Success, packet is { Code: EapCode.Success } ? packet : EapPacket.Success(id), "");
            case RadiusEapStatus.Reject:
                return EapServerStep.Fail(id, outcome.Reason);
            default:
                return EapServerStep.Fail(id, outcome.Reason);
        }
    }
}
