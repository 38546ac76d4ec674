using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// IKE_AUTH as responder (RFC 7296 §1.2): picks the connection by the initiator's identity (and IDr, and
/// for certificates its CA), verifies its PSK or signature AUTH (certificate chain, identity, revocation),
/// answers IDr/[CERT]/AUTH and creates the first CHILD_SA. A failed authentication is
/// answered with AUTHENTICATION_FAILED and the IKE SA is dropped (§2.21.2); a failed CHILD_SA only adds
/// its error notify, the IKE SA stays up (§1.2).
/// </summary>
internal sealed class IkeAuthResponder(IIkeContext context)
{
    private readonly EapResponder _eap = new(context);

    /// <summary>Fills response; returns true when the IKE SA must be destroyed after the response is sent.</summary>
    public bool Handle(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        if (sa.State != IkeSaState.Connecting)
        {
            context.Log.Debug(sa, $"IKE_AUTH request in state {StateNames.Of(sa.State)}, ignored");
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            return false;
        }
        // RFC 7296 §2.16: the later IKE_AUTH exchanges of an EAP authentication (IKE_AUTH_MID stays the first one's).
        if (sa.EapAuth is not null)
            return _eap.Continue(sa, request, response);
        // RFC 4739: the initiator's further authentication rounds, one or more exchanges each.
        if (sa.AuthRounds is not null)
            return NextRound(sa, request, response);
        if (sa.AdditionalKeyExchangesPending)
        {
            context.Log.Warn(sa, $"IKE_AUTH before the negotiated additional key exchanges ({sa.AdditionalKeyExchangesDone} of {sa.AdditionalKeyExchanges.Count} done), sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        sa.IkeAuthMessageId = request.MessageId; // RFC 9242 §3.3.2: IKE_AUTH_MID ends IntAuth
        sa.PeerMultipleAuth = request.GetNotify(NotifyType.MultipleAuthSupported) is not null;
        var idi = request.Get(PayloadType.IdentificationInitiator) as IdentificationPayload;
        var auth = request.Get<AuthenticationPayload>();
        // No AUTH in the first IKE_AUTH request: the initiator wants to authenticate with EAP.
        if (idi is not null && auth is null)
            return _eap.Begin(sa, request, response, idi);
        if (idi is null || auth is null)
        {
            context.Log.Warn(sa, "IKE_AUTH request without IDi, sending AUTHENTICATION_FAILED");
            context.Events.Failed(sa, SaFailure.Identity, "IKE_AUTH request without IDi, sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        var peerId = idi.Identity;
        var idrRequested = (request.Get(PayloadType.IdentificationResponder) as IdentificationPayload)?.Identity;

        var config = SelectConnection(sa, peerId, idrRequested, auth.Method, request);
        if (config is null)
        {
            context.Log.Warn(sa, $"no connection matches peer identity '{peerId}'{(idrRequested is null ? "" : $" asking for '{idrRequested}'")} authenticating with {auth.Method}{WhyNot(sa, peerId, request)}, sending AUTHENTICATION_FAILED");
            context.Events.Failed(sa, SaFailure.Identity, $"no connection matches peer identity '{peerId}'{(idrRequested is null ? "" : $" asking for '{idrRequested}'")} authenticating with {auth.Method}{WhyNot(sa, peerId, request)}, sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        if (!ReferenceEquals(config, sa.Config))
        {
            context.Log.Info(sa, $"switching to connection '{config.Name}' for peer '{peerId}'");
            sa.Config = config;
        }
        if (config.LocalRounds.Count > 1)
            return Refuse(sa, response, LocalRoundsRefusal(config));
        context.Credentials.Pubkey.ReadPeerAnnouncements(sa, request);
        bool remotePubkey = PubkeyAuthenticator.IsPubkey(config.Remote.Auth), localPubkey = PubkeyAuthenticator.IsPubkey(config.Local.Auth);
        bool remotePsk = config.Remote.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase), localPsk = config.Local.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase);
        if (!(remotePubkey || (remotePsk && auth.Method == AuthMethod.SharedKeyMessageIntegrityCode)) || !(localPubkey || localPsk))
        {
            context.Log.Warn(sa, $"peer '{peerId}' authenticates with {auth.Method}, connection '{config.Name}' expects {config.Remote.Auth} and uses {config.Local.Auth} (psk and pubkey are supported), sending AUTHENTICATION_FAILED");
            context.Events.Failed(sa, SaFailure.Identity, $"peer '{peerId}' authenticates with {auth.Method}, connection '{config.Name}' expects {config.Remote.Auth} and uses {config.Local.Auth} (psk and pubkey are supported), sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }

        sa.LocalId = context.Credentials.LocalIdentity(sa);
        byte[]? secret = null;
        if (localPsk || remotePsk)
        {
            secret = context.Credentials.Psk.FindSecret(sa, sa.LocalId, peerId, out string error);
            if (secret is null)
            {
                context.Log.Warn(sa, $"{error}, sending AUTHENTICATION_FAILED");
                context.Events.Failed(sa, SaFailure.Identity, $"{error}, sending AUTHENTICATION_FAILED");
                response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
                return true;
            }
        }
        LocalCredential? own = null;
        if (localPubkey)
        {
            own = context.Credentials.Pubkey.FindLocal(config, out string error, sa.PeerCaHashes);
            if (own is null)
            {
                context.Log.Warn(sa, $"{error}, sending AUTHENTICATION_FAILED");
                context.Events.Failed(sa, SaFailure.Identity, $"{error}, sending AUTHENTICATION_FAILED");
                response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
                return true;
            }
        }
        if (remotePubkey)
        {
            var checkedPeer = context.Credentials.Pubkey.VerifyPeer(sa, config, request, idi, auth);
            if (checkedPeer.Deferred)
            {
                // A CRL is being fetched: no answer yet; HandleRequest sees Deferred and sends nothing.
                context.Scheduler.Defer(sa, request, null);
                return false;
            }
            if (!checkedPeer.Ok)
            {
                context.Log.Warn(sa, $"authentication of '{peerId}' with {auth.Method} failed: {checkedPeer.Reason}, sending AUTHENTICATION_FAILED");
                context.Events.Failed(sa, SaFailure.Identity, $"authentication of '{peerId}' with {auth.Method} failed: {checkedPeer.Reason}, sending AUTHENTICATION_FAILED");
                response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
                return true;
            }
            sa.PeerCertificate = checkedPeer.Certificate;
            context.Log.Debug(sa, $"authentication of '{peerId}' with {auth.Method} successful (certificate '{PubkeyAuthenticator.Name(checkedPeer.Certificate!)}')");
        }
        else
        {
            if (!context.Credentials.Psk.Verify(sa, idi, auth, secret!))
            {
                context.Log.Warn(sa, $"authentication of '{peerId}' with pre-shared key failed: AUTH does not verify with the secret for '{sa.LocalId}' - '{peerId}', sending AUTHENTICATION_FAILED");
                context.Events.Failed(sa, SaFailure.Identity, $"authentication of '{peerId}' with pre-shared key failed: AUTH does not verify with the secret for '{sa.LocalId}' - '{peerId}', sending AUTHENTICATION_FAILED");
                response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
                return true;
            }
            context.Log.Debug(sa, $"authentication of '{peerId}' with pre-shared key successful");
        }
        sa.RemoteId = peerId;
        sa.CompletedRounds.Add(new AuthRoundInfo(false, 1, config.Remote.Auth, peerId.ToString()));
        bool another = request.GetNotify(NotifyType.AnotherAuthFollows) is not null;
        if (AuthRoundSteps.Mismatch(config, peerId, 1, another) is { } roundsError)
            return Refuse(sa, response, roundsError);

        // RFC 7296 §1.2: IDr, [CERT,] AUTH.
        var idr = new IdentificationPayload(false, sa.LocalId);
        response.Payloads.Add(idr);
        if (own is not null)
        {
            PubkeyAuthenticator.AddCertificates(response, own);
            response.Payloads.Add(context.Credentials.Pubkey.Sign(sa, idr, own));
        }
        else
        {
            response.Payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, context.Credentials.Psk.Sign(sa, idr, secret!)));
        }
        if (another)
        {
            // RFC 4739: we are authenticated; the CHILD_SA and virtual IP wait for the initiator's last round.
            sa.AuthRounds = new AuthRoundsState(request, idr);
            var next = config.RemoteRounds[1];
            context.Log.Info(sa, $"authentication round 1 of {config.RemoteRounds.Count} of '{peerId}' successful, round 2 follows ({next.Section}, auth = {next.Auth})");
            return false;
        }
        return AuthRoundSteps.Establish(context, sa, request, response);
    }

    /// <summary>RFC 4739 §3 lets only the initiator authenticate several times.</summary>
    internal static string LocalRoundsRefusal(ConnectionConfig config) =>
        $"connection '{config.Name}' has {config.LocalRounds.Count} local authentication rounds, but a responder authenticates in one (RFC 4739 lets only the initiator do several)";

    /// <summary>
    /// A later round of the initiator (RFC 4739): IDi of that round and AUTH (PSK or signature, verified as in the first
    /// round over this IDi), or no AUTH to start EAP. Another round may follow; after the last the SA is established.
    /// </summary>
    private bool NextRound(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        var state = sa.AuthRounds!;
        var config = sa.Config;
        int number = state.Done + 1, count = config.RemoteRounds.Count;
        var round = config.RemoteRounds[state.Done];
        var view = config.ForRound(config.Local, round);
        string what = $"authentication round {number} of {count} ({round.Section}, auth = {round.Auth})";
        if (request.Get(PayloadType.IdentificationInitiator) is not IdentificationPayload idi)
            return Refuse(sa, response, $"{what}: IKE_AUTH request without IDi");
        var peerId = idi.Identity;
        var pattern = context.Credentials.RemoteIdentityPattern(view);
        if (!pattern.Matches(peerId))
            return Refuse(sa, response, $"{what}: identity '{peerId}' does not match the configured id '{pattern}'");
        var auth = request.Get<AuthenticationPayload>();
        if (auth is null)
        {
            if (!round.IsEap)
                return Refuse(sa, response, $"{what}: peer '{peerId}' asks for EAP (no AUTH)");
            return _eap.BeginRound(sa, request, response, idi, round, view, number, state.Idr);
        }
        if (round.IsEap)
            return Refuse(sa, response, $"{what}: peer '{peerId}' sent AUTH method {auth.Method} instead of starting EAP");
        if (PubkeyAuthenticator.IsPubkey(round.Auth))
        {
            var checkedPeer = context.Credentials.Pubkey.VerifyPeer(sa, view, request, idi, auth);
            if (checkedPeer.Deferred)
            {
                context.Scheduler.Defer(sa, request, null);
                return false;
            }
            if (!checkedPeer.Ok)
                return Refuse(sa, response, $"{what} of '{peerId}' with {auth.Method} failed: {checkedPeer.Reason}");
            context.Log.Info(sa, $"{what} of '{peerId}' with {auth.Method} successful (certificate '{PubkeyAuthenticator.Name(checkedPeer.Certificate!)}')");
        }
        else
        {
            if (auth.Method != AuthMethod.SharedKeyMessageIntegrityCode)
                return Refuse(sa, response, $"{what}: peer '{peerId}' authenticates with {auth.Method}");
            var secret = context.Credentials.Psk.FindSecret(sa, sa.LocalId!, peerId, out string error);
            if (secret is null)
                return Refuse(sa, response, $"{what}: {error}");
            if (!context.Credentials.Psk.Verify(sa, idi, auth, secret))
                return Refuse(sa, response, $"{what} of '{peerId}' with pre-shared key failed: AUTH does not verify with the secret for '{sa.LocalId}' - '{peerId}'");
            context.Log.Info(sa, $"{what} of '{peerId}' with pre-shared key successful");
        }
        sa.CompletedRounds.Add(new AuthRoundInfo(false, number, round.Auth, peerId.ToString()));
        state.Done = number;
        bool another = request.GetNotify(NotifyType.AnotherAuthFollows) is not null;
        if (AuthRoundSteps.Mismatch(config, sa.RemoteId!, number, another) is { } roundsError)
            return Refuse(sa, response, roundsError);
        return another ? false : AuthRoundSteps.Establish(context, sa, state.FirstRequest, response);
    }

    /// <summary>AUTHENTICATION_FAILED with the reason in the log and the event feed; the IKE SA goes (§2.21.2).</summary>
    private bool Refuse(IkeSa sa, IkeMessage response, string reason)
    {
        sa.AuthRounds = null;
        response.Payloads.Clear();
        context.Log.Warn(sa, $"{reason}, sending AUTHENTICATION_FAILED");
        context.Events.Failed(sa, SaFailure.Identity, $"{reason}, sending AUTHENTICATION_FAILED");
        response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
        return true;
    }

    /// <summary>For the log: why each certificate connection for these addresses refused the peer's certificate (remote id, CA).</summary>
    private string WhyNot(IkeSa sa, Identity peerId, IkeMessage request)
    {
        var cert = PubkeyAuthenticator.FirstCertificate(request);
        if (cert is null) return "";
        var reasons = new List<string>();
        foreach (var c in context.Sas.ConnectionsFor(sa.Local.Address, sa.Remote.Address))
        {
            if (!PubkeyAuthenticator.IsPubkey(c.Remote.Auth)) continue;
            var remote = context.Credentials.RemoteIdentityPattern(c);
            if (!remote.IsAny && !remote.Matches(peerId) && !CertificateIdentity.Matches(remote, cert))
                reasons.Add($"'{c.Name}': id mismatch: configured remote id '{remote}' vs certificate '{PubkeyAuthenticator.Name(cert)}' ({CertificateIdentity.MismatchReason(remote, cert)})");
            else if (c.Remote.CaCerts.Count > 0 && !context.Credentials.Pubkey.IssuedUnder(c, cert, request))
                reasons.Add($"'{c.Name}': certificate '{PubkeyAuthenticator.Name(cert)}' is not issued under its remote.cacerts");
        }
        return reasons.Count == 0 ? "" : " (" + string.Join("; ", reasons) + ")";
    }

    /// <summary>
    /// strongSwan's peer config lookup: among connections matching the IKE addresses, the best match of
    /// remote id against IDi and local id against the requested IDr; exact ids beat wildcards beat %any.
    /// The connection's remote auth class must fit the AUTH method (signature or PSK). For certificates the
    /// remote id may also name the certificate (subject or subjectAltName), and a connection restricted to
    /// <c>remote.cacerts</c> is only a candidate for certificates issued under them, and then beats an
    /// unrestricted one (one-to-many gateways telling clients apart by their CA).
    /// </summary>
    private ConnectionConfig? SelectConnection(IkeSa sa, Identity peerId, Identity? idrRequested, AuthMethod method, IkeMessage request)
    {
        ConnectionConfig? best = null;
        int bestScore = 0;
        bool peerSigns = method != AuthMethod.SharedKeyMessageIntegrityCode;
        var peerCert = peerSigns ? PubkeyAuthenticator.FirstCertificate(request) : null;
        foreach (var c in context.Sas.ConnectionsFor(sa.Local.Address, sa.Remote.Address))
        {
            bool pubkey = PubkeyAuthenticator.IsPubkey(c.Remote.Auth);
            if (pubkey != peerSigns && (pubkey || c.Remote.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase))) continue;
            var remote = context.Credentials.RemoteIdentityPattern(c);
            int score = remote.IsAny ? 1 : remote.Equals(peerId) ? 3 : remote.Matches(peerId) ? 2
                : pubkey && peerCert is not null && CertificateIdentity.Matches(remote, peerCert) ? 2 : 0;
            if (score == 0) continue;
            if (pubkey && c.Remote.CaCerts.Count > 0)
            {
                if (peerCert is not null && !context.Credentials.Pubkey.IssuedUnder(c, peerCert, request)) continue;
                score += 2;
            }
            if (idrRequested is not null && !idrRequested.IsAny)
            {
                var local = context.Credentials.LocalIdentityFor(c, sa.Local.Address, sa.PeerCaHashes);
                // The initiator may ask for any identity our certificate carries (a subjectAltName), RFC 4945 §3.1.
                if (!local.Equals(idrRequested) && !(PubkeyAuthenticator.IsPubkey(c.Local.Auth)
                    && context.Credentials.Pubkey.FindLocal(c, out _) is { } own && CertificateIdentity.Matches(idrRequested, own.Certificate))) continue;
                score += 3;
            }
            // Staying on the connection IKE_SA_INIT chose wins ties.
            if (ReferenceEquals(c, sa.Config)) score += 1;
            if (score > bestScore) { best = c; bestScore = score; }
        }
        return best;
    }
}
