using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Eap;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// Makes the EAP methods a connection asks for (auth = eap-md5 / eap-mschapv2 / eap-tls, or eap for any) with the
/// credentials they need: eap-/ntlm- secrets looked up like strongSwan's credential manager (our identity and
/// the peer's, best match), and for EAP-TLS our certificate and the chain check of the other side's.
/// </summary>
internal sealed class EapMethods(IIkeContext context)
{
    /// <summary>The method types auth = … allows, in the order a server offers them.</summary>
    public static IReadOnlyList<EapType> Allowed(string auth) => auth switch
    {
        "eap-md5" => [EapType.Md5Challenge],
        "eap-mschapv2" => [EapType.MsChapV2],
        "eap-tls" => [EapType.Tls],
        // The RADIUS server chooses the method (and answers a Nak).
        "eap-radius" => [EapType.None],
        _ => [EapType.MsChapV2, EapType.Tls, EapType.Md5Challenge],
    };

    /// <summary>The secret for a pair of identities: an NT hash (ntlm-) first, as strongSwan does, then the eap- password.</summary>
    public EapSecret? FindSecret(string ours, string peers)
    {
        if (!Identity.TryParse(ours, out var me, out _) || !Identity.TryParse(peers, out var other, out _)) return null;
        var secrets = context.Credentials.Secrets;
        if (SharedSecretLookup.Find(secrets, me!, other!, "ntlm") is { } nt) return EapSecret.FromNtHash(nt.Secret);
        return SharedSecretLookup.Find(secrets, me!, other!, "eap") is { } eap ? EapSecret.FromPassword(eap.Secret) : null;
    }

    /// <param name="config">The connection as the EAP round sees it (<see cref="ConnectionConfig.ForRound"/>).</param>
    public IEapServer? CreateServer(IkeSa sa, ConnectionConfig config, EapType type, string peerIdentity, byte identifier, out string error)
    {
        error = "";
        string ours = sa.LocalId!.ToString();
        var ctx = new EapServerContext
        {
            PeerIdentity = peerIdentity,
            ServerIdentity = ours,
            FirstIdentifier = identifier,
            Random = context.Random.Fill,
            FindSecret = user => FindSecret(ours, user),
            Resume = () => context.Scheduler.Resume(sa),
        };
        // The round's own auth (config is the round's view): eap-radius may be any remote round (RFC 4739).
        if (config.Remote.Auth == "eap-radius")
        {
            if (context.Radius is not { } radius)
            {
                error = "auth = eap-radius, but no RADIUS server is configured (petrel { eap-radius { servers { … } } })";
                return null;
            }
            return new Radius.RadiusEapServer(radius, ctx, IkeEngine.RadiusContext(sa));
        }
        switch (type)
        {
            case EapType.Md5Challenge: return new EapMd5Server(ctx);
            case EapType.MsChapV2: return new EapMsChapV2Server(ctx);
            case EapType.Tls:
                var credentials = TlsCredentials(sa, config, peerIdentity, out error);
                return credentials is null ? null : new EapTlsServer(ctx, credentials);
            default:
                error = $"{EapTypeNames.Of(type)} is not built";
                return null;
        }
    }

    public IEapPeer? CreatePeer(IkeSa sa, ConnectionConfig config, EapType type, string identity)
    {
        var ctx = new EapPeerContext
        {
            Identity = identity,
            ServerIdentity = (sa.RemoteId ?? context.Credentials.RemoteIdentityPattern(config)).ToString(),
            Random = context.Random.Fill,
            Secret = FindSecret(identity, (sa.RemoteId ?? context.Credentials.RemoteIdentityPattern(config)).ToString()),
        };
        switch (type)
        {
            case EapType.Md5Challenge: return new EapMd5Peer(ctx);
            case EapType.MsChapV2: return new EapMsChapV2Peer(ctx);
            case EapType.Tls:
                var pattern = sa.RemoteId is { IsAny: false } idr ? idr : context.Credentials.RemoteIdentityPattern(config);
                var credentials = TlsCredentials(sa, config, pattern.ToString(), out string error);
                if (credentials is null) context.Log.Warn(sa, error);
                return credentials is null ? null : new EapTlsPeer(credentials);
            default:
                return null;
        }
    }

    /// <summary>
    /// EAP-TLS: our certificate (local.certs, else one carrying local.id) and the check of the other side's: a chain to
    /// remote.cacerts (else every loaded root) and, unless it is %any, the expected identity in the certificate
    /// (RFC 5216 §5.2: the server checks the peer's certificate against its EAP identity; the peer the server's
    /// against the identity it expects).
    /// </summary>
    private EapTlsCredentials? TlsCredentials(IkeSa sa, ConnectionConfig config, string expectedPeer, out string error)
    {
        var own = context.Credentials.Pubkey.FindLocal(config, out error, sa.PeerCaHashes);
        if (own is null)
        {
            error = "EAP-TLS needs our certificate: " + error;
            return null;
        }
        var store = context.Credentials.Store!;
        Identity.TryParse(expectedPeer, out var expected, out _);
        return new EapTlsCredentials
        {
            Certificate = own.Certificate,
            Key = own.Key,
            Intermediates = own.Intermediates,
            VerifyPeer = (cert, intermediates, budget) =>
            {
                if (expected is { IsAny: false } && !CertificateIdentity.Matches(expected, cert))
                    return $"certificate '{PubkeyAuthenticator.Name(cert)}' does not carry the identity '{expected}' ({CertificateIdentity.MismatchReason(expected, cert)})";
                var anchors = context.Credentials.Pubkey.TrustAnchors(config, out string anchorError);
                if (anchorError.Length > 0) return anchorError;
                var chain = new ChainValidator(anchors, store.Intermediates, store.Crls).Validate(cert, context.Clock.UtcNow.UtcDateTime, intermediates, budget);
                if (!chain.Ok) return $"certificate '{PubkeyAuthenticator.Name(cert)}': {chain.Reason}";
                sa.PeerCertificate = cert;
                return null;
            },
        };
    }
}
