using System.Text;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Eap;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// IKE_AUTH with EAP as responder (RFC 7296 §2.16), strongSwan's way:
/// <list type="number">
/// <item>The first request has IDi but no AUTH: pick a connection whose remote auth is eap…, answer IDr, [CERT,]
/// AUTH (certificate or PSK per local.auth) and the first EAP Request. With local.auth = eap… and the peer's
/// EAP_ONLY_AUTHENTICATION notify, our AUTH is left out (RFC 5998): the EAP method authenticates us.</item>
/// <item>Each further request carries an EAP Response; we answer with the method's next Request, or its Success.</item>
/// <item>After Success the peer sends AUTH computed with the MSK (with SK_pi for a method without one, MD5); we
/// verify it, answer our AUTH the same way and the first CHILD_SA from the first request's SA and TS.</item>
/// </list>
/// A failure answers EAP-Failure and AUTHENTICATION_FAILED, names the reason in the log, and drops the IKE SA.
/// </summary>
internal sealed class EapResponder(IIkeContext context)
{
    private readonly EapMethods _methods = new(context);

    /// <summary>The first IKE_AUTH request without AUTH; returns true when the IKE SA must go.</summary>
    public bool Begin(IkeSa sa, IkeMessage request, IkeMessage response, IdentificationPayload idi)
    {
        var peerId = idi.Identity;
        var idrRequested = (request.Get(PayloadType.IdentificationResponder) as IdentificationPayload)?.Identity;
        var config = SelectConnection(sa, peerId, idrRequested);
        if (config is null)
            return Refuse(sa, response, $"peer '{peerId}' asks for EAP (IKE_AUTH without AUTH), but no connection with remote auth = eap… matches it{(idrRequested is null ? "" : $" asking for '{idrRequested}'")}");
        if (!ReferenceEquals(config, sa.Config))
        {
            context.Log.Info(sa, $"switching to connection '{config.Name}' for peer '{peerId}'");
            sa.Config = config;
        }
        if (config.LocalRounds.Count > 1)
            return Refuse(sa, response, IkeAuthResponder.LocalRoundsRefusal(config));
        sa.PeerMultipleAuth = request.GetNotify(NotifyType.MultipleAuthSupported) is not null;
        context.Credentials.Pubkey.ReadPeerAnnouncements(sa, request);
        sa.LocalId = context.Credentials.LocalIdentity(sa);

        bool eapOnly = config.Local.IsEap;
        if (eapOnly && request.GetNotify(NotifyType.EapOnlyAuthentication) is null)
            return Refuse(sa, response, $"connection '{config.Name}' is configured for EAP-only authentication (local auth = {config.Local.Auth}), but peer '{peerId}' did not send EAP_ONLY_AUTHENTICATION (RFC 5998)");

        // RFC 7296 §1.2 / §2.16: IDr, [CERT,] AUTH, EAP.
        var idr = new IdentificationPayload(false, sa.LocalId);
        response.Payloads.Add(idr);
        if (!eapOnly)
        {
            if (PubkeyAuthenticator.IsPubkey(config.Local.Auth))
            {
                var own = context.Credentials.Pubkey.FindLocal(config, out string error, sa.PeerCaHashes);
                if (own is null) return Refuse(sa, response, error, replace: true);
                PubkeyAuthenticator.AddCertificates(response, own);
                response.Payloads.Add(context.Credentials.Pubkey.Sign(sa, idr, own));
            }
            else
            {
                var secret = context.Credentials.Psk.FindSecret(sa, sa.LocalId, peerId, out string error);
                if (secret is null) return Refuse(sa, response, error, replace: true);
                response.Payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, context.Credentials.Psk.Sign(sa, idr, secret)));
            }
        }

        bool resumed = sa.EapAuth is { StartPending: true };
        var step = StartSession(sa, request, idi, idr, config.Remote, config, eapOnly, 1);
        if (step.Kind == EapServerStepKind.Pending)
        {
            // RADIUS answers later: this request is processed again from the start (Continue → Begin) when it does.
            if (!resumed) context.Log.Info(sa, $"peer '{peerId}' authenticates with EAP ({config.Remote.Auth}){(eapOnly ? ", EAP-only (RFC 5998)" : "")}; asking {sa.EapAuth!.Session.MethodName}");
            context.Scheduler.Defer(sa, request, null, "the RADIUS server");
            return false;
        }
        context.Log.Info(sa, $"peer '{peerId}' authenticates with EAP ({config.Remote.Auth}){(eapOnly ? ", EAP-only (RFC 5998)" : "")}; sending {step.Packet}");
        return Answer(sa, response, step);
    }

    /// <summary>
    /// A later authentication round (RFC 4739) that is EAP: the request has IDi and no AUTH; the answer is the first EAP
    /// Request only (we authenticated in the first round). <paramref name="idr"/> is our IDr of that round, which the
    /// final AUTH of this EAP round covers.
    /// </summary>
    public bool BeginRound(IkeSa sa, IkeMessage request, IkeMessage response, IdentificationPayload idi, AuthConfig round, ConnectionConfig view, int number, IdentificationPayload idr)
    {
        bool resumed = sa.EapAuth is { StartPending: true };
        var step = StartSession(sa, request, idi, idr, round, view, eapOnly: false, number);
        string what = $"authentication round {number} of {sa.Config.RemoteRounds.Count} ({round.Section}): peer '{idi.Identity}' authenticates with EAP ({round.Auth})";
        if (step.Kind == EapServerStepKind.Pending)
        {
            // RADIUS answers later: this request is processed again (Continue → BeginRound) when it does.
            if (!resumed) context.Log.Info(sa, $"{what}; asking {sa.EapAuth!.Session.MethodName}");
            context.Scheduler.Defer(sa, request, null, "the RADIUS server");
            return false;
        }
        context.Log.Info(sa, $"{what}; sending {step.Packet}");
        return Answer(sa, response, step);
    }

    private EapServerStep StartSession(IkeSa sa, IkeMessage request, IdentificationPayload idi, IdentificationPayload idr, AuthConfig round, ConnectionConfig view, bool eapOnly, int number)
    {
        // remote.eap_id: unset means the IKE identity is the EAP identity; set (%any or a name) asks with EAP-Identity.
        string? eapId = round.EapId;
        var first = new byte[1];
        context.Random.Fill(first);
        bool resumed = sa.EapAuth is { StartPending: true };
        var session = resumed ? sa.EapAuth!.Session : new EapServerSession(idi.Identity.ToString(), askIdentity: eapId is not null, first[0], EapMethods.Allowed(round.Auth),
            (identity, identifier, type) =>
            {
                var method = _methods.CreateServer(sa, view, type, identity, identifier, out string error);
                if (method is null) context.Log.Warn(sa, $"cannot start {EapTypeNames.Of(type)}: {error}");
                return method;
            });
        var step = session.Start();
        sa.EapAuth = new EapAuthState(session, request, idi, idr, eapOnly) { Round = number, StartPending = step.Kind == EapServerStepKind.Pending };
        return step;
    }

    /// <summary>A later IKE_AUTH request of the EAP rounds: an EAP Response, or the final AUTH.</summary>
    public bool Continue(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        var state = sa.EapAuth!;
        if (state.StartPending && ReferenceEquals(request, state.FirstRequest))
        {
            if (state.Round == 1) return Begin(sa, request, response, state.Idi);
            var round = sa.Config.RemoteRounds[state.Round - 1];
            return BeginRound(sa, request, response, state.Idi, round, sa.Config.ForRound(sa.Config.Local, round), state.Round, state.Idr);
        }
        if (request.Get<AuthenticationPayload>() is { } auth)
            return Finish(sa, request, response, state, auth);
        if (request.Get<EapPayload>() is not { } eap)
            return Refuse(sa, response, "IKE_AUTH request during EAP carries neither EAP nor AUTH");
        if (state.Succeeded)
            return Refuse(sa, response, "EAP payload after EAP-Success, expected AUTH");
        if (!EapPacket.TryDecode(eap.Message.Span, out var packet, out string error))
            return Refuse(sa, response, $"malformed EAP message: {error}");
        var step = state.Session.Process(packet!);
        if (step.Kind == EapServerStepKind.Pending)
        {
            // A backend (RADIUS) answers later: the request is processed again from the start when it does.
            context.Scheduler.Defer(sa, request, null, "the RADIUS server");
            return false;
        }
        return Answer(sa, response, step);
    }

    private bool Answer(IkeSa sa, IkeMessage response, EapServerStep step)
    {
        var state = sa.EapAuth!;
        response.Payloads.Add(new EapPayload(step.Packet!.Bytes));
        string inRound = sa.Config.RemoteRounds.Count > 1 ? $" in authentication round {state.Round} of {sa.Config.RemoteRounds.Count} ({sa.Config.RemoteRounds[state.Round - 1].Section})" : "";
        switch (step.Kind)
        {
            case EapServerStepKind.Success:
                state.Succeeded = true;
                context.Log.Info(sa, $"{state.Session.MethodName} authentication of '{state.Session.Identity}' successful, {(state.Session.Msk.IsEmpty ? "no MSK" : "MSK")} established");
                return false;
            case EapServerStepKind.Failure:
                sa.EapAuth = null;
                sa.AuthRounds = null;
                context.Log.Warn(sa, $"{state.Session.MethodName} authentication of '{state.Session.Identity}'{inRound} failed: {step.Reason}, sending EAP-Failure");
                context.Events.Failed(sa, SaFailure.Identity, $"{state.Session.MethodName} authentication of '{state.Session.Identity}'{inRound} failed: {step.Reason}");
                response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
                return true;
            default:
                if (step.Reason.Length > 0)
                    context.Log.Warn(sa, $"{state.Session.MethodName} authentication of '{state.Session.Identity}'{inRound} failed: {step.Reason}, telling the peer");
                return false;
        }
    }

    private bool Finish(IkeSa sa, IkeMessage request, IkeMessage response, EapAuthState state, AuthenticationPayload auth)
    {
        if (!state.Succeeded)
            return Refuse(sa, response, "AUTH before the EAP method succeeded");
        var peerId = state.Idi.Identity;
        // §2.16: AUTH is the shared-key form keyed with the MSK, or with SK_pi / SK_pr when the method has none.
        var msk = state.Session.Msk;
        byte[] peerKey = msk.IsEmpty ? sa.Keys!.SkPi : msk.ToArray();
        byte[] ourKey = msk.IsEmpty ? sa.Keys!.SkPr : msk.ToArray();
        if (!context.Credentials.Psk.Verify(sa, state.Idi, auth, peerKey))
            return Refuse(sa, response, $"AUTH payload of '{peerId}' does not verify with the {(msk.IsEmpty ? "SK_pi key (EAP method without MSK)" : "EAP MSK")}");
        var config = sa.Config;
        var round = config.RemoteRounds[state.Round - 1];
        context.Log.Info(sa, $"authentication of '{peerId}' with EAP successful (EAP identity '{state.Session.Identity}')");
        if (config.RemoteRounds.Count > 1)
            context.Log.Info(sa, $"authentication round {state.Round} of {config.RemoteRounds.Count} ({round.Section}, auth = {round.Auth}) of '{peerId}' successful");
        if (state.Round == 1) sa.RemoteId = peerId;
        sa.EapIdentity = state.Session.Identity;
        sa.EapAuth = null;
        sa.RadiusAccept = (state.Session.Method as Radius.RadiusEapServer)?.Accepted;
        sa.CompletedRounds.Add(new AuthRoundInfo(false, state.Round, round.Auth, peerId.ToString(), state.Session.Identity));
        // RFC 4739: ANOTHER_AUTH_FOLLOWS comes with the AUTH that ends a round; the first request's SA and TS wait for the last.
        var rounds = sa.AuthRounds ?? new AuthRoundsState(state.FirstRequest, state.Idr);
        rounds.Done = state.Round;
        bool another = request.GetNotify(NotifyType.AnotherAuthFollows) is not null;
        if (AuthRoundSteps.Mismatch(config, sa.RemoteId!, rounds.Done, another) is { } roundsError)
            return Refuse(sa, response, roundsError);
        // Our AUTH keyed the same way ends every EAP round (strongSwan's EAP server answers one in each).
        response.Payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, context.Credentials.Psk.Sign(sa, state.Idr, ourKey)));
        if (another)
        {
            sa.AuthRounds = rounds;
            return false;
        }
        return AuthRoundSteps.Establish(context, sa, rounds.FirstRequest, response);
    }

    /// <summary>AUTHENTICATION_FAILED and the reason in the log; the SA goes. <paramref name="replace"/> drops payloads already added.</summary>
    private bool Refuse(IkeSa sa, IkeMessage response, string reason, bool replace = false)
    {
        sa.EapAuth = null;
        sa.AuthRounds = null;
        if (replace) response.Payloads.Clear();
        context.Log.Warn(sa, $"{reason}, sending AUTHENTICATION_FAILED");
        context.Events.Failed(sa, SaFailure.Identity, $"{reason}, sending AUTHENTICATION_FAILED");
        response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
        return true;
    }

    /// <summary>
    /// Among the connections for these addresses whose remote auth is EAP, the best match of remote id against IDi
    /// (exact beats wildcard beats %any) and of local id against a requested IDr; the current one wins ties.
    /// </summary>
    private ConnectionConfig? SelectConnection(IkeSa sa, Identity peerId, Identity? idrRequested)
    {
        ConnectionConfig? best = null;
        int bestScore = 0;
        foreach (var c in context.Sas.ConnectionsFor(sa.Local.Address, sa.Remote.Address))
        {
            if (!c.Remote.IsEap) continue;
            var remote = context.Credentials.RemoteIdentityPattern(c);
            int score = remote.IsAny ? 1 : remote.Equals(peerId) ? 3 : remote.Matches(peerId) ? 2 : 0;
            if (score == 0) continue;
            if (idrRequested is not null && !idrRequested.IsAny)
            {
                var local = context.Credentials.LocalIdentityFor(c, sa.Local.Address, sa.PeerCaHashes);
                // The initiator may ask for any identity our certificate carries (RFC 4945 §3.1).
                if (!local.Equals(idrRequested) && !(context.Credentials.Pubkey.FindLocal(c, out _) is { } own
                    && CertificateIdentity.Matches(idrRequested, own.Certificate))) continue;
                score += 3;
            }
            if (ReferenceEquals(c, sa.Config)) score += 1;
            if (score > bestScore) { best = c; bestScore = score; }
        }
        return best;
    }
}
