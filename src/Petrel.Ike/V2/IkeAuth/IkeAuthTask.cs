using Petrel.Ike.Auth;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// IKE_AUTH as initiator (RFC 7296 §1.2): IDi, [CERT, CERTREQ], [IDr], AUTH (PSK or signature), INITIAL_CONTACT and the first
/// CHILD_SA (SA, TSi, TSr). On the response it authenticates the responder, then installs the CHILD_SA
/// or reports why the responder refused it (the IKE SA stays up in that case, §1.2).
/// </summary>
/// <remarks>
/// With several local rounds (swanctl.conf's local-1, local-2 …, RFC 4739) the first request also carries
/// MULTIPLE_AUTH_SUPPORTED, and every request with an AUTH that is not the last round's ANOTHER_AUTH_FOLLOWS. Once the
/// responder has authenticated and our round passed, each further round is one more IKE_AUTH exchange (several for
/// EAP) with that round's IDi and AUTH; the responder's last answer carries the CHILD_SA.
/// </remarks>
internal sealed class IkeAuthTask(IIkeContext context, ChildConfig? childConfig, InitiateCompletion? completion) : IkeTask
{
    private ChildSa? _child;
    private IdentificationPayload? _idi;
    /// <summary>Set when the current local round is eap…: the EAP exchanges (RFC 7296 §2.16) this task runs as further IKE_AUTH exchanges.</summary>
    private EapInitiator? _eap;
    /// <summary>The local round being authenticated (0 based, <see cref="ConnectionConfig.LocalRounds"/>).</summary>
    private int _round;
    /// <summary>The responder's IDr from the first response: later EAP rounds verify its AUTH over it.</summary>
    private IdentificationPayload? _idr;

    public override ExchangeType Exchange => ExchangeType.IkeAuth;

    private bool MoreRounds(IkeSa sa) => _round + 1 < sa.Config.LocalRounds.Count;

    /// <summary>The AUTH signature a crypto worker made for <see cref="_signedRound"/>'s request, until the request takes it.</summary>
    private AuthenticationPayload? _signature;
    private int _signedRound = -1;
    private Exception? _signError;

    /// <summary>The responder's certificate chain and AUTH signature, checked on a crypto worker, for this response.</summary>
    private (IkeMessage Response, PeerCertificateCheck Check)? _peerCheck;

    /// <summary>
    /// A round that signs (auth = pubkey): the signature is made on a crypto worker before the request is built, over the
    /// IDi that <see cref="BuildRequest"/> then sends.
    /// </summary>
    public override TaskJob? Prepare(IkeSa sa)
    {
        if (_eap is { Started: true } || _signedRound == _round || sa.Config.LocalRounds.Count == 0) return null;
        var round = _round == 0 ? sa.Config.Local : sa.Config.LocalRounds[_round];
        if (round.IsEap || !PubkeyAuthenticator.IsPubkey(round.Auth)) return null;
        var view = _round == 0 ? sa.Config : sa.Config.ForRound(round, sa.Config.Remote);
        var id = _round == 0 ? context.Credentials.LocalIdentity(sa) : context.Credentials.LocalIdentityFor(view, sa.Local.Address, sa.PeerCaHashes);
        var own = context.Credentials.Pubkey.FindLocal(view, out _, sa.PeerCaHashes);
        if (own is null) return null; // BuildRequest reports it
        _signedRound = _round;
        if (_round == 0) sa.IkeAuthMessageId = sa.NextRequestId; // RFC 9242 §3.3.2: IntAuth ends with the MID this request gets
        var sign = context.Credentials.Pubkey.PrepareSignature(sa, new IdentificationPayload(true, id), own);
        AuthenticationPayload? made = null;
        TaskJob? job = null;
        job = new TaskJob("IKE_AUTH signature (initiator)", () => made = sign(), keep: () =>
        {
            _signature = made;
            _signError = job!.Error;
        });
        return job;
    }

    /// <summary>The signature made in <see cref="Prepare"/> (its error rethrown), or one made now.</summary>
    private AuthenticationPayload Signature(IkeSa sa, IdentificationPayload idi, LocalCredential own)
    {
        if (_signError is { } e)
        {
            _signError = null;
            throw new IkeSetupException($"signing our AUTH failed: {e.GetType().Name}: {e.Message}");
        }
        var made = _signature;
        _signature = null;
        return made ?? context.Credentials.Pubkey.Sign(sa, idi, own);
    }

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        if (_eap is { Started: true })
        {
            _eap.BuildRequest(request, _idi!);
            if (_eap.SendsAuth && MoreRounds(sa))
                request.Payloads.Add(new NotifyPayload(NotifyType.AnotherAuthFollows));
            return;
        }
        if (_round > 0)
        {
            BuildNextRound(sa, request);
            return;
        }
        if (sa.Config.RemoteRounds.Count > 1)
            throw new IkeSetupException($"connection '{sa.Config.Name}' has {sa.Config.RemoteRounds.Count} remote authentication rounds: a responder authenticates in one (RFC 4739 lets only the initiator do several), so Petrel as initiator cannot use it");
        if (sa.Config.LocalRounds.Count > 1 && !sa.PeerMultipleAuth)
            throw new IkeSetupException($"connection '{sa.Config.Name}' authenticates in {sa.Config.LocalRounds.Count} rounds, but the peer did not announce MULTIPLE_AUTH_SUPPORTED (RFC 4739) in its IKE_SA_INIT response");
        sa.LocalId = context.Credentials.LocalIdentity(sa);
        sa.IkeAuthMessageId = request.MessageId; // RFC 9242 §3.3.2: IKE_AUTH_MID ends IntAuth
        _idi = new IdentificationPayload(true, sa.LocalId);
        request.Payloads.Add(_idi);
        // RFC 7296 §1.2: IDi, [CERT,] [CERTREQ,] [IDr,] AUTH.
        LocalCredential? own = null;
        if (PubkeyAuthenticator.IsPubkey(sa.Config.Local.Auth))
        {
            own = context.Credentials.Pubkey.FindLocal(sa.Config, out string credentialError, sa.PeerCaHashes) ?? throw new IkeSetupException(credentialError);
            PubkeyAuthenticator.AddCertificates(request, own);
        }
        if (PubkeyAuthenticator.IsPubkey(sa.Config.Remote.Auth))
            context.Credentials.Pubkey.AddCertificateRequest(sa.Config, request);
        var remotePattern = context.Credentials.RemoteIdentityPattern(sa.Config);
        if (!remotePattern.IsAny && !remotePattern.HasWildcards)
            request.Payloads.Add(new IdentificationPayload(false, remotePattern));

        if (sa.Config.Local.IsEap)
        {
            // §2.16: no AUTH; EAP follows. strongSwan always offers EAP-only (RFC 5998) with it.
            _eap = new EapInitiator(context, sa, sa.Config.Local, sa.Config, sa.LocalId, firstRound: true);
            request.Payloads.Add(new NotifyPayload(NotifyType.EapOnlyAuthentication));
        }
        else if (own is not null)
        {
            request.Payloads.Add(Signature(sa, _idi, own));
        }
        else
        {
            var secret = context.Credentials.Psk.FindSecret(sa, sa.LocalId, remotePattern, out string error);
            if (secret is null)
                throw new IkeSetupException(error);
            request.Payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, context.Credentials.Psk.Sign(sa, _idi, secret)));
        }
        // §2.4: tells the peer to drop state from our earlier incarnations; only when we have no other SA with it.
        if (!context.Sas.HasOtherSaWith(sa))
            request.Payloads.Add(new NotifyPayload(NotifyType.InitialContact));
        if (sa.Config.LocalRounds.Count > 1)
        {
            // RFC 4739 §3: the first IKE_AUTH request says we can, and the one carrying AUTH that another round follows.
            request.Payloads.Add(new NotifyPayload(NotifyType.MultipleAuthSupported));
            if (request.Get<AuthenticationPayload>() is not null)
                request.Payloads.Add(new NotifyPayload(NotifyType.AnotherAuthFollows));
        }

        ConfigurationAttributesInitiator.AddRequest(sa, request);
        if (childConfig is not null)
        {
            _child ??= context.Children.Create(sa, childConfig);
            context.Children.AddRequest(sa, _child, request, withKeyExchange: false);
        }
    }

    /// <summary>
    /// RFC 4739: a later round's first request, IDi of that round and its AUTH (PSK or signature, computed as in the first
    /// round over this IDi), or no AUTH when the round is EAP; ANOTHER_AUTH_FOLLOWS with an AUTH that is not the last.
    /// </summary>
    private void BuildNextRound(IkeSa sa, IkeMessage request)
    {
        var round = sa.Config.LocalRounds[_round];
        var view = sa.Config.ForRound(round, sa.Config.Remote);
        var id = context.Credentials.LocalIdentityFor(view, sa.Local.Address, sa.PeerCaHashes);
        _idi = new IdentificationPayload(true, id);
        request.Payloads.Add(_idi);
        if (round.IsEap)
        {
            _eap = new EapInitiator(context, sa, round, view, id, firstRound: false);
            return;
        }
        if (PubkeyAuthenticator.IsPubkey(round.Auth))
        {
            var own = context.Credentials.Pubkey.FindLocal(view, out string credentialError, sa.PeerCaHashes)
                ?? throw new IkeSetupException($"authentication round {_round + 1} ({round.Section}): {credentialError}");
            PubkeyAuthenticator.AddCertificates(request, own);
            request.Payloads.Add(Signature(sa, _idi, own));
        }
        else
        {
            var secret = context.Credentials.Psk.FindSecret(sa, id, sa.RemoteId!, out string error)
                ?? throw new IkeSetupException($"authentication round {_round + 1} ({round.Section}): {error}");
            request.Payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, context.Credentials.Psk.Sign(sa, _idi, secret)));
        }
        if (MoreRounds(sa))
            request.Payloads.Add(new NotifyPayload(NotifyType.AnotherAuthFollows));
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        if (_eap is { Started: true } rounds)
        {
            var eapError = rounds.Process(response, out bool finished, out bool peerRefused);
            if (eapError is not null)
            {
                if (_round > 0) eapError = $"authentication round {_round + 1} ({sa.Config.LocalRounds[_round].Section}, auth = {sa.Config.LocalRounds[_round].Auth}): {eapError}";
                context.Events.Failed(sa, SaFailure.Identity, eapError);
                return peerRefused ? Fail(sa, eapError) : FailAuth(sa, eapError);
            }
            return finished ? RoundDone(sa, response, rounds.ResponderId) : TaskOutcome.Retry;
        }
        if (_round > 0)
            return ProcessNextRound(sa, response);
        var idr = response.Get(PayloadType.IdentificationResponder) as IdentificationPayload;
        var auth = response.Get<AuthenticationPayload>();
        bool eapOnly = _eap is { EapOnly: true };
        if (idr is null || (auth is null && !eapOnly))
        {
            var error = FirstError(response);
            string reason = error == NotifyType.AuthenticationFailed
                ? _eap is not null
                    ? $"peer rejected our authentication: AUTHENTICATION_FAILED (check that it accepts EAP from our identity {sa.LocalId} with {sa.Config.Local.Auth})"
                : PubkeyAuthenticator.IsPubkey(sa.Config.Local.Auth)
                    ? $"peer rejected our authentication: AUTHENTICATION_FAILED (check that it trusts our certificate's CA and accepts our identity {sa.LocalId})"
                    : "peer rejected our authentication: AUTHENTICATION_FAILED (check the PSK and our identity " + sa.LocalId + ")"
                : $"IKE_AUTH failed: peer answered {(error is { } e ? NotifyNames.Of(e) : "without IDr/AUTH")}";
            context.Events.Failed(sa, error == NotifyType.AuthenticationFailed ? SaFailure.Identity : SaFailure.Other, reason);
            return Fail(sa, reason);
        }

        var peerId = idr.Identity;
        if (eapOnly)
        {
            // RFC 5998: the EAP method authenticates the responder; its identity must still be the one we want.
            var pattern = context.Credentials.RemoteIdentityPattern(sa.Config);
            if (!pattern.Matches(peerId))
                return FailAuth(sa, $"peer identity '{peerId}' does not match the configured remote id '{pattern}'");
            if (auth is not null)
                return FailAuth(sa, $"'{peerId}' sent AUTH although remote auth = {sa.Config.Remote.Auth} expects EAP-only authentication");
        }
        else if (PubkeyAuthenticator.IsPubkey(sa.Config.Remote.Auth))
        {
            // The chain and signature are checked on a crypto worker; this runs again for the same response when it is
            // done (and again after a CRL fetch, which only revocation waits for).
            if (_peerCheck is not { } done || !ReferenceEquals(done.Response, response))
            {
                var check = context.Credentials.Pubkey.BeginVerifyPeer(sa, sa.Config, response, idr, auth!, out var early);
                if (check is null)
                    return FailAuth(sa, $"'{peerId}' with {auth!.Method}: {early!.Value.Reason}");
                var job = new TaskJob("IKE_AUTH certificate chain and signature check (initiator)", check.Run, keep: () => _peerCheck = (response, check));
                return Offload(job, () => ProcessResponse(sa, response));
            }
            var checkedPeer = context.Credentials.Pubkey.Finish(sa, sa.Config, done.Check);
            if (checkedPeer.Deferred)
                return TaskOutcome.Deferred;
            if (!checkedPeer.Ok)
                return FailAuth(sa, $"'{peerId}' with {auth!.Method}: {checkedPeer.Reason}");
            sa.PeerCertificate = checkedPeer.Certificate;
            context.Log.Debug(sa, $"authentication of '{peerId}' with {auth.Method} successful (certificate '{PubkeyAuthenticator.Name(checkedPeer.Certificate!)}')");
        }
        else
        {
            var pattern = context.Credentials.RemoteIdentityPattern(sa.Config);
            if (!pattern.Matches(peerId))
                return FailAuth(sa, $"peer identity '{peerId}' does not match the configured remote id '{pattern}'");
            var secret = context.Credentials.Psk.FindSecret(sa, sa.LocalId!, peerId, out string secretError);
            if (secret is null)
                return FailAuth(sa, secretError);
            if (!context.Credentials.Psk.Verify(sa, idr, auth!, secret))
                return FailAuth(sa, $"AUTH payload of '{peerId}' does not verify with the shared key for '{sa.LocalId}' - '{peerId}' (method {auth!.Method})");
        }

        _idr = idr;
        sa.RemoteId = peerId;
        sa.CompletedRounds.Add(new AuthRoundInfo(false, 1, sa.Config.Remote.Auth, peerId.ToString()));
        if (_eap is not null)
        {
            // The responder is who it says (or, EAP-only, will prove it by EAP): now the EAP rounds.
            var eapError = _eap.Start(response, idr);
            if (eapError is not null) return FailAuth(sa, eapError);
            return TaskOutcome.Retry;
        }
        return RoundDone(sa, response, peerId);
    }

    /// <summary>
    /// The answer to a later round's request (RFC 4739): the first EAP Request of an EAP round, an empty answer when
    /// another round follows, or with the last round the CHILD_SA; AUTHENTICATION_FAILED means the round was refused.
    /// </summary>
    private TaskOutcome ProcessNextRound(IkeSa sa, IkeMessage response)
    {
        var round = sa.Config.LocalRounds[_round];
        if (FirstError(response) is NotifyType.AuthenticationFailed)
        {
            string reason = $"peer rejected our authentication round {_round + 1} ({round.Section}, auth = {round.Auth}) as '{_idi!.Identity}': AUTHENTICATION_FAILED";
            context.Events.Failed(sa, SaFailure.Identity, reason);
            return Fail(sa, reason);
        }
        if (_eap is not null)
        {
            var eapError = _eap.Start(response, _idr!);
            if (eapError is not null) return FailAuth(sa, $"authentication round {_round + 1} ({round.Section}): {eapError}");
            return TaskOutcome.Retry;
        }
        return RoundDone(sa, response, _idr!.Identity);
    }

    /// <summary>Our current round passed: the next round's request follows, or after the last one the SA is established.</summary>
    private TaskOutcome RoundDone(IkeSa sa, IkeMessage response, Identity peerId)
    {
        var round = sa.Config.LocalRounds[_round];
        string eapIdentity = _eap?.Identity ?? "";
        sa.CompletedRounds.Add(new AuthRoundInfo(true, _round + 1, round.Auth, (_idi?.Identity ?? sa.LocalId!).ToString(), eapIdentity));
        if (_eap is not null)
            context.Log.Info(sa, $"authentication of '{peerId}' with EAP successful (our EAP identity '{_eap.Identity}')");
        if (sa.Config.LocalRounds.Count > 1)
            context.Log.Info(sa, $"authentication round {_round + 1} of {sa.Config.LocalRounds.Count} ({round.Section}, auth = {round.Auth}) as '{_idi?.Identity}' successful");
        if (MoreRounds(sa))
        {
            _round++;
            _eap = null;
            return TaskOutcome.Retry;
        }
        return Complete(sa, response, peerId);
    }

    /// <summary>Authentication done both ways: the SA is established and the first CHILD_SA completed from this response.</summary>
    private TaskOutcome Complete(IkeSa sa, IkeMessage response, Identity peerId)
    {
        sa.RemoteId = peerId;
        if (context.Sas.CheckUniqueness(sa, initialContact: false))
            return Fail(sa, "cancelling IKE_SA setup due to uniqueness policy (unique = keep)");
        if (ConfigurationAttributesInitiator.ProcessReply(context, sa, response) is { } vipError)
            return Fail(sa, vipError);
        context.Sas.Established(sa);

        if (_child is null)
        {
            sa.ReleaseHandshakeState();
            completion?.ChildUp("IKE SA " + sa.Tag, sa.UniqueId);
            return TaskOutcome.Done;
        }
        // §2.17: the first CHILD_SA's KEYMAT takes the IKE_SA_INIT nonces; after it nothing needs them.
        var childError = context.Children.CompleteAsInitiator(sa, _child, response, default, sa.Ni, sa.Nr, withKeyExchange: false);
        sa.ReleaseHandshakeState();
        if (childError is not null)
        {
            context.Log.Warn(sa, childError);
            completion?.Fail(childError, sa.UniqueId);
        }
        else
        {
            completion?.ChildUp($"CHILD_SA {_child.Config.Name}{{{_child.UniqueId}}}", sa.UniqueId);
        }
        return TaskOutcome.Done;
    }

    public override void Abort(IkeSa sa, string reason) => completion?.Fail(reason, sa.UniqueId);

    private static NotifyType? FirstError(IkeMessage m)
    {
        foreach (var n in m.GetAll<NotifyPayload>())
            if (n.IsError) return n.NotifyType;
        return null;
    }

    private TaskOutcome Fail(IkeSa sa, string reason)
    {
        context.Log.Warn(sa, reason);
        completion?.Fail(reason, sa.UniqueId);
        return TaskOutcome.DestroySa;
    }

    /// <summary>§2.21.2: the responder failed our check; tell it (one INFORMATIONAL, not retransmitted) and drop the SA.</summary>
    private TaskOutcome FailAuth(IkeSa sa, string reason)
    {
        context.Sender.SendNotifyOnce(sa, NotifyType.AuthenticationFailed);
        return Fail(sa, "authentication of the peer failed: " + reason);
    }
}
