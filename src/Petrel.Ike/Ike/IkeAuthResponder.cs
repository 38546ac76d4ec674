using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike;

/// <summary>
/// IKE_AUTH as responder (RFC 7296 §1.2): picks the connection by the initiator's identity (and IDr),
/// verifies its PSK AUTH, answers IDr/AUTH and creates the first CHILD_SA. A failed authentication is
/// answered with AUTHENTICATION_FAILED and the IKE SA is dropped (§2.21.2); a failed CHILD_SA only adds
/// its error notify, the IKE SA stays up (§1.2).
/// </summary>
internal sealed class IkeAuthResponder(IkeEngine engine)
{
    /// <summary>Fills response; returns true when the IKE SA must be destroyed after the response is sent.</summary>
    public bool Handle(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        if (sa.State != IkeSaState.Connecting)
        {
            engine.Debug(sa, $"IKE_AUTH request in state {StateNames.Of(sa.State)}, ignored");
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            return false;
        }
        var idi = request.Get(PayloadType.IdentificationInitiator) as IdentificationPayload;
        var auth = request.Get<AuthenticationPayload>();
        if (idi is null || auth is null)
        {
            if (request.Get<EapPayload>() is not null || auth is null)
                engine.Warn(sa, "IKE_AUTH without AUTH (EAP is not supported yet), sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        var peerId = idi.Identity;
        var idrRequested = (request.Get(PayloadType.IdentificationResponder) as IdentificationPayload)?.Identity;

        var config = SelectConnection(sa, peerId, idrRequested);
        if (config is null)
        {
            engine.Warn(sa, $"no connection matches peer identity '{peerId}'{(idrRequested is null ? "" : $" asking for '{idrRequested}'")}, sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        if (!ReferenceEquals(config, sa.Config))
        {
            engine.Info(sa, $"switching to connection '{config.Name}' for peer '{peerId}'");
            sa.Config = config;
        }
        if (!config.Remote.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase) || !config.Local.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase)
            || auth.Method != AuthMethod.SharedKeyMessageIntegrityCode)
        {
            engine.Warn(sa, $"peer '{peerId}' authenticates with {auth.Method}, connection '{config.Name}' expects {config.Remote.Auth} (only PSK is supported), sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }

        sa.LocalId = engine.LocalIdentity(sa);
        var secret = engine.Psk.FindSecret(sa, sa.LocalId, peerId, out string error);
        if (secret is null)
        {
            engine.Warn(sa, $"{error}, sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        if (!engine.Psk.Verify(sa, idi, auth, secret))
        {
            engine.Warn(sa, $"authentication of '{peerId}' with pre-shared key failed: AUTH does not verify with the secret for '{sa.LocalId}' - '{peerId}', sending AUTHENTICATION_FAILED");
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        sa.RemoteId = peerId;
        engine.Info(sa, $"authentication of '{peerId}' with pre-shared key successful");
        // RFC 7296 §2.4: INITIAL_CONTACT says the peer has no other SAs with us; old ones are stale (it restarted).
        if (request.GetNotify(NotifyType.InitialContact) is not null || config.Unique.Equals("replace", StringComparison.OrdinalIgnoreCase))
            engine.DestroyStaleSas(sa);

        var idr = new IdentificationPayload(false, sa.LocalId);
        response.Payloads.Add(idr);
        response.Payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, engine.Psk.Sign(sa, idr, secret)));
        engine.Established(sa);

        if (request.Get<SecurityAssociationPayload>() is not null)
        {
            var notify = engine.Children.Respond(sa, request, response, default, sa.Ni, sa.Nr, allowKeyExchange: false, null, out _, out string reason);
            if (notify is { } n)
            {
                engine.Warn(sa, reason + $", sending {NotifyNames.Of(n)}");
                response.Payloads.Add(new NotifyPayload(n));
            }
        }
        return false;
    }

    /// <summary>
    /// strongSwan's peer config lookup: among connections matching the IKE addresses, the best match of
    /// remote id against IDi and local id against the requested IDr; exact ids beat wildcards beat %any.
    /// </summary>
    private ConnectionConfig? SelectConnection(IkeSa sa, Identity peerId, Identity? idrRequested)
    {
        ConnectionConfig? best = null;
        int bestScore = 0;
        foreach (var c in engine.ConnectionsFor(sa.Local.Address, sa.Remote.Address))
        {
            var remote = engine.RemoteIdentityPattern(c);
            int score = remote.IsAny ? 1 : remote.Equals(peerId) ? 3 : remote.Matches(peerId) ? 2 : 0;
            if (score == 0) continue;
            if (idrRequested is not null && !idrRequested.IsAny)
            {
                var local = engine.LocalIdentityFor(c, sa.Local.Address);
                if (!local.Equals(idrRequested)) continue;
                score += 3;
            }
            // Staying on the connection IKE_SA_INIT chose wins ties.
            if (ReferenceEquals(c, sa.Config)) score += 1;
            if (score > bestScore) { best = c; bestScore = score; }
        }
        return best;
    }
}
