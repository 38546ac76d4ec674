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
        if (sa.AdditionalKeyExchangesPending)
        {
            context.Log.Warn(sa, $"IKE_AUTH before the negotiated additional key exchanges ({sa.AdditionalKeyExchangesDone} of {sa.AdditionalKeyExchanges.Count} done), sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        sa.IkeAuthMessageId = request.MessageId; // RFC 9242 §3.3.2: IKE_AUTH_MID ends IntAuth
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
        // RFC 7296 §2.4: INITIAL_CONTACT says the peer has no other SAs with us; old ones are stale (it restarted).
        // unique = keep refuses this SA while an established duplicate exists (strongSwan's check_uniqueness).
        if (context.Sas.CheckUniqueness(sa, request.GetNotify(NotifyType.InitialContact) is not null))
        {
            context.Log.Warn(sa, $"cancelling IKE_SA setup due to uniqueness policy, sending AUTHENTICATION_FAILED");
            context.Events.Failed(sa, SaFailure.Identity, $"cancelling IKE_SA setup due to uniqueness policy, sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }

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
        context.Sas.Established(sa);
        ConfigurationAttributesResponder.Respond(context, sa, request, response);

        if (request.Get<SecurityAssociationPayload>() is not null)
        {
            var notify = context.Children.Respond(sa, request, response, default, sa.Ni, sa.Nr, allowKeyExchange: false, null, out _, out string reason);
            if (notify is { } n)
            {
                context.Log.Warn(sa, reason + $", sending {NotifyNames.Of(n)}");
                response.Payloads.Add(new NotifyPayload(n));
            }
        }
        // §2.17: the first CHILD_SA's KEYMAT took the IKE_SA_INIT nonces; after it nothing needs them.
        sa.ReleaseHandshakeState();
        return false;
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
