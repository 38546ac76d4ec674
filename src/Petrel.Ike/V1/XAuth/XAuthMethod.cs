using Petrel.Ike.Auth;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.V1.Signatures;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.XAuth;

/// <summary>
/// The Phase 1 authentication method of a connection (draft-ietf-ipsec-isakmp-xauth §3, strongSwan's phase1.c): plain
/// pre-shared key or signature, or with XAuth as the second round XAUTHInitPreShared (65001) / XAUTHInitRSA (65005)
/// when the Main Mode initiator is the XAuth client, XAUTHRespPreShared (65002) / XAUTHRespRSA (65006) when the
/// responder is. A connection with `remote-N { auth = xauth }` is the XAuth server, one with `local-N { auth = xauth }`
/// the client. As in strongSwan, certificates with XAuth always mean the RSA methods: there is no ECDSA variant.
/// </summary>
internal static class XAuthMethod
{
    public static bool IsServer(ConnectionConfig c) => c.XAuthRemote is not null;

    public static bool IsClient(ConnectionConfig c) => c.XAuthLocal is not null;

    public static V1AuthMethod Phase1(ConnectionConfig c, bool initiator)
    {
        if (!IsServer(c) && !IsClient(c)) return V1AuthMethod.PreSharedKey;
        bool initiatorIsClient = initiator ? IsClient(c) : IsServer(c);
        if (PubkeyAuthenticator.IsPubkey(c.Local.Auth))
            return initiatorIsClient ? V1AuthMethod.XauthInitRsa : V1AuthMethod.XauthRespRsa;
        return initiatorIsClient ? V1AuthMethod.XauthInitPsk : V1AuthMethod.XauthRespPsk;
    }

    /// <summary>The method without XAuth: what keys, HASH and SIG are made with (XAUTHInitRSA signs as RSA does).</summary>
    public static V1AuthMethod Base(V1AuthMethod m) => m switch
    {
        V1AuthMethod.XauthInitPsk or V1AuthMethod.XauthRespPsk => V1AuthMethod.PreSharedKey,
        V1AuthMethod.XauthInitRsa or V1AuthMethod.XauthRespRsa => V1AuthMethod.RsaSignature,
        _ => m,
    };

    /// <summary>
    /// The method we propose as initiator: the XAuth one, or our key's. With XAuth and certificates our key must be
    /// RSA; null with the reason otherwise.
    /// </summary>
    public static V1AuthMethod? Ours(IkeEngine e, ConnectionConfig c, out string error)
    {
        var method = Phase1(c, initiator: true);
        if (method == V1AuthMethod.PreSharedKey) return V1Credentials.Ours(e, c, out error);
        error = "";
        if (Base(method) != V1AuthMethod.RsaSignature) return method;
        if (V1Credentials.Ours(e, c, out error) is not { } ours) return null;
        if (ours != V1AuthMethod.RsaSignature)
        {
            error = $"XAuth with certificates signs with RSA (XAUTHInitRSA/XAUTHRespRSA, as strongSwan), but our key for connection '{c.Name}' makes {V1Credentials.Name(ours)}s";
            return null;
        }
        return method;
    }
}
