using Petrel.Ike.Config;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.XAuth;

/// <summary>
/// The Phase 1 authentication method of a connection (draft-ietf-ipsec-isakmp-xauth §3, strongSwan's phase1.c):
/// plain pre-shared key, or XAUTHInitPreShared (65001) when the Main Mode initiator is the XAuth client, or
/// XAUTHRespPreShared (65002) when the responder is. A connection with `remote-N { auth = xauth }` is the XAuth
/// server, one with `local-N { auth = xauth }` the client.
/// </summary>
internal static class XAuthMethod
{
    public static bool IsServer(ConnectionConfig c) => c.XAuthRemote is not null;

    public static bool IsClient(ConnectionConfig c) => c.XAuthLocal is not null;

    public static V1AuthMethod Phase1(ConnectionConfig c, bool initiator)
    {
        if (!IsServer(c) && !IsClient(c)) return V1AuthMethod.PreSharedKey;
        bool initiatorIsClient = initiator ? IsClient(c) : IsServer(c);
        return initiatorIsClient ? V1AuthMethod.XauthInitPsk : V1AuthMethod.XauthRespPsk;
    }
}
