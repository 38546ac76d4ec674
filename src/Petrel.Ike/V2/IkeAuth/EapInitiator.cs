using Petrel.Ike.Config;
using Petrel.Ike.Eap;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// The client's side of IKE_AUTH with EAP (RFC 7296 §2.16), driven by <see cref="IkeAuthTask"/>: the first request
/// goes without AUTH (and with EAP_ONLY_AUTHENTICATION, RFC 5998, as strongSwan sends it); each EAP Request in a
/// response is answered in the next IKE_AUTH request; after EAP-Success the next request carries AUTH keyed with the
/// MSK (SK_pi for a method without one), and the responder's AUTH in the last response is checked the same way.
/// </summary>
/// <param name="round">The local round that authenticates with EAP (local, or local-N with RFC 4739's several rounds).</param>
/// <param name="view">The connection as that round sees it (<see cref="ConnectionConfig.ForRound"/>).</param>
/// <param name="ikeIdentity">Our IDi in that round.</param>
/// <param name="firstRound">Only the first round can be EAP-only (the responder authenticates in it).</param>
internal sealed class EapInitiator(IIkeContext context, IkeSa sa, AuthConfig round, ConnectionConfig view, Identity ikeIdentity, bool firstRound)
{
    private readonly EapMethods _methods = new(context);
    private EapPeerSession? _session;
    private byte[]? _nextEap;
    private bool _sendAuth;
    private IdentificationPayload? _idr;
    private bool _peerEnded;

    /// <summary>The responder's identity from the first response.</summary>
    public Identity ResponderId => _idr!.Identity;

    /// <summary>Whether the first response arrived and the EAP rounds run.</summary>
    public bool Started => _session is not null;

    /// <summary>EAP-only (RFC 5998): remote auth is eap… too, so the responder sends no AUTH before EAP.</summary>
    public bool EapOnly => firstRound && sa.Config.Remote.IsEap;

    /// <summary>EAP succeeded: the next request carries our AUTH (with ANOTHER_AUTH_FOLLOWS when another round follows).</summary>
    public bool SendsAuth => _sendAuth;

    /// <summary>The EAP method that ran ("EAP-MD5"), once it did.</summary>
    public string MethodName => _session?.Method is { } m ? EapTypeNames.Of(m.Type) : "EAP";

    /// <summary>The EAP identity we use: local.eap_id, else our IKE identity.</summary>
    public string Identity => round.EapId ?? ikeIdentity.ToString();

    /// <summary>The first response authenticated the responder (unless EAP-only) and carries the first EAP Request.</summary>
    public string? Start(IkeMessage response, IdentificationPayload idr)
    {
        _idr = idr;
        var keyword = round.Auth.Length > 4 ? round.Auth[4..] : "";
        var wanted = EapTypeNames.FromKeyword(keyword);
        _session = new EapPeerSession(Identity, wanted, type => _methods.CreatePeer(sa, view, type, Identity));
        sa.EapIdentity = Identity;
        if (response.Get<EapPayload>() is not { } eap)
            return "the responder authenticated but sent no EAP request (does it expect EAP from us? check its remote auth)";
        return Answer(eap);
    }

    public void BuildRequest(IkeMessage request, IdentificationPayload idi)
    {
        if (_sendAuth)
        {
            var msk = _session!.Method!.Msk;
            byte[] key = msk.IsEmpty ? sa.Keys!.SkPi : msk.ToArray();
            request.Payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, context.Credentials.Psk.Sign(sa, idi, key)));
            return;
        }
        request.Payloads.Add(new EapPayload(_nextEap!));
    }

    /// <summary>
    /// A response during the EAP rounds: null with <paramref name="finished"/> false means send the next request;
    /// finished means the responder's AUTH verified; otherwise the reason it failed.
    /// </summary>
    public string? Process(IkeMessage response, out bool finished, out bool peerRefused)
    {
        finished = false;
        peerRefused = false;
        if (_sendAuth)
        {
            if (response.Get<AuthenticationPayload>() is not { } auth)
            {
                peerRefused = true;
                return FailureNotify(response) is { } n ? $"the responder refused our AUTH: {NotifyNames.Of(n)}" : "the responder answered our AUTH without AUTH";
            }
            var msk = _session!.Method!.Msk;
            byte[] key = msk.IsEmpty ? sa.Keys!.SkPr : msk.ToArray();
            if (!context.Credentials.Psk.Verify(sa, _idr!, auth, key))
                return $"AUTH payload of '{_idr!.Identity}' does not verify with the {(msk.IsEmpty ? "SK_pr key (EAP method without MSK)" : "EAP MSK")}";
            finished = true;
            return null;
        }
        if (response.Get<EapPayload>() is not { } eap)
        {
            peerRefused = true;
            return FailureNotify(response) is { } n ? $"the responder ended EAP with {NotifyNames.Of(n)}" : "the responder's IKE_AUTH response carries no EAP";
        }
        var error = Answer(eap);
        peerRefused = _peerEnded;
        return error;
    }

    private string? Answer(EapPayload eap)
    {
        if (!EapPacket.TryDecode(eap.Message.Span, out var packet, out string error))
            return $"malformed EAP message: {error}";
        switch (packet!.Code)
        {
            case EapCode.Success:
                var method = _session!.Method;
                if (method is null || !method.Completed)
                    return "EAP-Success before the method completed (the server was not authenticated)";
                // RFC 5998 §4: EAP-only needs a method that authenticates the server and makes a key.
                if (EapOnly && method.Msk.IsEmpty)
                    return $"{EapTypeNames.Of(method.Type)} does not authenticate the server, so it cannot be used EAP-only (remote auth = {sa.Config.Remote.Auth})";
                context.Log.Info(sa, $"{EapTypeNames.Of(method.Type)} method succeeded, {(method.Msk.IsEmpty ? "no MSK" : "MSK")} established");
                _sendAuth = true;
                return null;
            case EapCode.Failure:
                _peerEnded = true;
                var detail = _session!.Method?.Refusal is { Length: > 0 } r ? $" ({r})" : "";
                return $"received EAP-Failure: the server refused our EAP authentication as '{Identity}'{detail}";
            case EapCode.Request:
                var step = _session!.Process(packet);
                if (step.Response is null) return step.Error;
                _nextEap = step.Response.Bytes;
                return null;
            default:
                return $"unexpected {packet}";
        }
    }

    private static NotifyType? FailureNotify(IkeMessage m)
    {
        foreach (var n in m.GetAll<NotifyPayload>())
            if (n.IsError) return n.NotifyType;
        return null;
    }
}
