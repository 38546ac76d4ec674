using System.Text;
using Petrel.Ike.Radius;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.ModeConfig;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.XAuth;

/// <summary>
/// XAuth as server (draft-ietf-ipsec-isakmp-xauth-06 §4, strongSwan's xauth task as initiator): after Main Mode,
/// CFG_REQUEST(USER_NAME, USER_PASSWORD) → CFG_REPLY with the client's values; the backend of `remote-N { auth = … }`
/// checks them; CFG_SET(XAUTH_STATUS OK/FAIL) → CFG_ACK. OK establishes the SA (and pushes the virtual IP when
/// `pull = no`); FAIL deletes it with a warning that names the user and the reason. The password is never logged.
/// </summary>
internal sealed class XAuthServer(TransactionExchange t)
{
    public void Start(IkeSa sa)
    {
        var state = sa.V1!.Transactions;
        state.Identifier = t.NewIdentifier();
        t.E.Log.Info(sa, "starting XAuth: asking the peer for user name and password");
        t.SendRequest(sa, new CfgPayload(CfgType.Request, state.Identifier,
        [
            new SaAttribute(CfgAttribute.XAuthUserName, [], false),
            new SaAttribute(CfgAttribute.XAuthUserPassword, [], false),
        ]), TransactionKind.XAuthCredentials);
    }

    public void OnCredentials(IkeSa sa, CfgPayload cfg)
    {
        var name = cfg.Get(CfgAttribute.XAuthUserName);
        var password = cfg.Get(CfgAttribute.XAuthUserPassword);
        string user = name is null ? "" : Encoding.UTF8.GetString(name.Data);
        if (cfg.Type != CfgType.Reply || name is null || password is null || name.Data.Length == 0)
        {
            Verdict(sa, user, "the peer's XAuth reply carries no user name and password (is an XAuth client configured there?)");
            return;
        }
        var round = sa.Config.XAuthRemote!;
        if (XAuthBackends.IsRadius(round.Auth))
        {
            // Ask RADIUS only for a user this connection takes at all.
            if (!Accepts(round, user))
                Verdict(sa, user, $"connection '{sa.Name}' accepts only XAuth user '{round.XAuthId}' (remote xauth_id)");
            else
                AskRadius(sa, user, password.Data);
            return;
        }
        string? failure = XAuthBackends.For(t.E, round.Auth).Verify(sa, user, password.Data);
        if (failure is null && !Accepts(round, user))
            failure = $"connection '{sa.Name}' accepts only XAuth user '{round.XAuthId}' (remote xauth_id)";
        Verdict(sa, user, failure);
    }

    private static bool Accepts(Config.AuthConfig round, string user) =>
        round.XAuthId is not { } expected || expected == "%any" || XAuthBackends.SameUser(expected, user);

    /// <summary>
    /// auth = xauth-radius (strongSwan's eap-radius XAuth backend): User-Name and User-Password (PAP) in an
    /// Access-Request, on the thread pool; the answer comes back on the engine's thread. Meanwhile the client waits for
    /// our status (its retransmitted reply answers nothing we ask and is dropped), so nothing is asked twice.
    /// </summary>
    private void AskRadius(IkeSa sa, string user, byte[] password)
    {
        if (t.E.Radius is not { } radius)
        {
            Verdict(sa, user, "auth = xauth-radius, but no RADIUS server is configured (petrel { eap-radius { servers { … } } })");
            return;
        }
        var copy = password.ToArray();
        var context = Engine.IkeEngine.RadiusContext(sa);
        t.E.Log.Info(sa, $"XAuth user '{XAuthBackends.Printable(user)}': asking the RADIUS server, deferred until it answers");
        _ = Task.Run(async () =>
        {
            RadiusEapOutcome outcome;
            try
            {
                outcome = await RadiusPasswordCheck.VerifyAsync(radius.Client, user, copy, context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                outcome = new RadiusEapOutcome(RadiusEapStatus.Failed, null, $"RADIUS exchange failed: {e.Message}");
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(copy);
            }
            radius.Post(() => OnRadiusAnswer(sa, user, outcome));
        });
    }

    private void OnRadiusAnswer(IkeSa sa, string user, RadiusEapOutcome outcome)
    {
        var state = sa.V1?.Transactions;
        if (state is null || !state.Deferred || sa.State != IkeSaState.Connecting || state.Outstanding.Count > 0)
        {
            t.E.Log.Debug(sa, $"RADIUS answered for XAuth user '{XAuthBackends.Printable(user)}' after the IKE SA moved on; ignored");
            return;
        }
        switch (outcome.Status)
        {
            case RadiusEapStatus.Accept:
                sa.RadiusAccept = outcome;
                Verdict(sa, user, null);
                break;
            case RadiusEapStatus.Reject:
                Verdict(sa, user, outcome.Reason);
                break;
            default:
                Verdict(sa, user, $"no RADIUS answer: {outcome.Reason}");
                break;
        }
    }

    /// <summary>Sends CFG_SET(XAUTH_STATUS OK or FAIL); the verdict takes effect when the client acknowledges it.</summary>
    private void Verdict(IkeSa sa, string user, string? failure)
    {
        var state = sa.V1!.Transactions;
        state.XAuthUser = XAuthBackends.Printable(user);
        state.XAuthOk = failure is null;
        state.XAuthFailure = failure;
        state.Identifier = t.NewIdentifier();
        t.SendRequest(sa, new CfgPayload(CfgType.Set, state.Identifier,
            [SaAttribute.Of(CfgAttribute.XAuthStatus, state.XAuthOk ? CfgAttribute.StatusOk : CfgAttribute.StatusFail)]),
            TransactionKind.XAuthStatus);
    }

    public void OnAck(IkeSa sa, CfgPayload cfg)
    {
        var state = sa.V1!.Transactions;
        if (cfg.Type != CfgType.Ack)
        {
            t.Fail(sa, $"XAuth: the peer answered the status with {CfgNames.Type(cfg.Type)} instead of CFG_ACK", sendDelete: true);
            return;
        }
        if (!state.XAuthOk)
        {
            t.Fail(sa, $"XAuth authentication of '{state.XAuthUser}' failed: {state.XAuthFailure}", sendDelete: true);
            return;
        }
        t.E.Log.Info(sa, $"XAuth authentication of '{state.XAuthUser}' successful{(sa.RadiusAccept is { Server: { } server } ? $" (RADIUS server {server})" : "")}");
        // Push (pull = no) before Quick Mode, so a client that waits for its address has it when Quick Mode starts.
        t.Server.PushIfConfigured(sa);
        t.Complete(sa);
    }
}
