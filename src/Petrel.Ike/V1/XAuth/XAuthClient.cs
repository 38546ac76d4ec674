using System.Text;
using Petrel.Ike.Auth;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.ModeConfig;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.XAuth;

/// <summary>
/// XAuth as client (draft-ietf-ipsec-isakmp-xauth-06 §4, strongSwan's xauth task as responder): the server's
/// CFG_REQUEST is answered with CFG_REPLY(USER_NAME, USER_PASSWORD) from `local-N { auth = xauth; xauth_id }` (our
/// IKE identity without xauth_id) and the xauth- secret (else eap- secret) for that name; its CFG_SET(XAUTH_STATUS)
/// is acknowledged with CFG_ACK. OK goes on to Mode Config or Quick Mode; FAIL ends the SA with the reason.
/// </summary>
internal sealed class XAuthClient(TransactionExchange t)
{
    /// <summary>A server may ask again after a wrong password; more than this many requests ends the SA.</summary>
    public const int MaxCredentialRequests = 3;

    public void OnRequest(IkeSa sa, uint messageId, CfgPayload cfg)
    {
        var state = sa.V1!.Transactions;
        var config = sa.Config.XAuthLocal;
        if (config is null)
        {
            t.E.Log.Warn(sa, $"the peer asks for XAuth credentials, but connection '{sa.Name}' has no local xauth round (local-N {{ auth = xauth }}); answering with none");
            t.SendAnswer(sa, messageId, new CfgPayload(CfgType.Reply, cfg.Identifier, []));
            return;
        }
        if (++state.CredentialRequests > MaxCredentialRequests)
        {
            t.Fail(sa, $"XAuth: the server asked for credentials {state.CredentialRequests} times", sendDelete: true);
            return;
        }
        if (cfg.Get(CfgAttribute.XAuthType) is { } type && type.Value != CfgAttribute.XAuthTypeGeneric)
        {
            t.Fail(sa, $"XAuth: the server asks for XAUTH_TYPE {type.Value}; Petrel answers only the generic user name/password type", sendDelete: true);
            return;
        }
        string user = config.XAuthId ?? sa.LocalId?.ToString() ?? sa.Local.Address.ToString();
        var password = FindPassword(sa, user);
        if (password is null)
        {
            t.Fail(sa, $"XAuth: no xauth- or eap- secret for our XAuth user '{user}'", sendDelete: true);
            return;
        }
        state.XAuthUser = user;
        var reply = new List<SaAttribute>();
        if (cfg.Get(CfgAttribute.XAuthType) is not null) reply.Add(SaAttribute.Of(CfgAttribute.XAuthType, CfgAttribute.XAuthTypeGeneric));
        reply.Add(new SaAttribute(CfgAttribute.XAuthUserName, Encoding.UTF8.GetBytes(user), false));
        reply.Add(new SaAttribute(CfgAttribute.XAuthUserPassword, password, false));
        t.E.Log.Info(sa, $"sending XAuth credentials of '{user}'");
        t.SendAnswer(sa, messageId, new CfgPayload(CfgType.Reply, cfg.Identifier, reply));
    }

    public void OnStatus(IkeSa sa, uint messageId, CfgPayload cfg)
    {
        var state = sa.V1!.Transactions;
        var status = cfg.Get(CfgAttribute.XAuthStatus);
        t.SendAnswer(sa, messageId, new CfgPayload(CfgType.Ack, cfg.Identifier, [new SaAttribute(CfgAttribute.XAuthStatus, [], false)]));
        if (status is null || status.Value != CfgAttribute.StatusOk || state.XAuthUser is null)
        {
            string reason = status is null ? "its CFG_SET carries no XAUTH_STATUS" : state.XAuthUser is null ? "it sent a status before asking for credentials" : "XAUTH_STATUS FAIL";
            t.Fail(sa, $"XAuth authentication of '{state.XAuthUser}' (myself) failed: the server refused it ({reason})");
            return;
        }
        state.XAuthOk = true;
        t.E.Log.Info(sa, $"XAuth authentication of '{state.XAuthUser}' (myself) successful");
        if (ModeConfigClient.Wants(sa)) t.Client.AfterAuthentication(sa);
        else t.Complete(sa);
    }

    private byte[]? FindPassword(IkeSa sa, string user)
    {
        if (!Identity.TryParse(user, out var me, out _) || me is null) return null;
        var peer = sa.RemoteId ?? Identity.FromAddress(sa.Remote.Address);
        var secret = SharedSecretLookup.Find(t.E.Secrets, me, peer, "xauth") ?? SharedSecretLookup.Find(t.E.Secrets, me, peer, "eap");
        return secret?.Secret;
    }
}
