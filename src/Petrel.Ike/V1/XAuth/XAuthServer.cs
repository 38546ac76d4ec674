using System.Text;
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
        var state = sa.V1!.Transactions;
        var name = cfg.Get(CfgAttribute.XAuthUserName);
        var password = cfg.Get(CfgAttribute.XAuthUserPassword);
        string? failure;
        string user = name is null ? "" : Encoding.UTF8.GetString(name.Data);
        if (cfg.Type != CfgType.Reply || name is null || password is null || name.Data.Length == 0)
        {
            failure = "the peer's XAuth reply carries no user name and password (is an XAuth client configured there?)";
        }
        else
        {
            var backend = XAuthBackends.For(t.E, sa.Config.XAuthRemote!.Auth);
            failure = backend.Verify(sa, user, password.Data);
            if (failure is null && sa.Config.XAuthRemote.XAuthId is { } expected && expected != "%any"
                && !XAuthBackends.SameUser(expected, user))
                failure = $"connection '{sa.Name}' accepts only XAuth user '{expected}' (remote xauth_id)";
        }
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
        t.E.Log.Info(sa, $"XAuth authentication of '{state.XAuthUser}' successful");
        // Push (pull = no) before Quick Mode, so a client that waits for its address has it when Quick Mode starts.
        t.Server.PushIfConfigured(sa);
        t.Complete(sa);
    }
}
