using Org.BouncyCastle.X509;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Auth;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.Signatures;

/// <summary>
/// What IKEv1 signature authentication takes from the certificate store of IKEv2: the authentication methods a
/// connection accepts, ours (from the key we hold), CERTREQ payloads naming the CAs we trust by DN (RFC 2408 §3.10),
/// CERT payloads with our certificate and its intermediates (encoding 4, RFC 2408 §3.9), and the HASH_I/HASH_R prf
/// (RFC 4754 §3: HMAC with SHA-256/384/512 for the ECDSA methods, the negotiated one otherwise, as strongSwan does).
/// </summary>
internal static class V1Credentials
{
    public const byte X509Signature = 4;

    private static readonly V1AuthMethod[] Signatures =
        [V1AuthMethod.RsaSignature, V1AuthMethod.EcdsaSha256, V1AuthMethod.EcdsaSha384, V1AuthMethod.EcdsaSha512];

    public static bool UsesSignatures(ConnectionConfig c) => PubkeyAuthenticator.IsPubkey(c.Local.Auth);

    /// <summary>The Phase 1 authentication methods a responder accepts for a connection.</summary>
    public static IReadOnlyList<V1AuthMethod> Accepted(ConnectionConfig c) =>
        UsesSignatures(c) ? Signatures : [V1AuthMethod.PreSharedKey];

    /// <summary>The method we propose as initiator: the pre-shared key, or the one our private key signs with.</summary>
    public static V1AuthMethod? Ours(IkeEngine e, ConnectionConfig c, out string error)
    {
        error = "";
        if (!UsesSignatures(c)) return V1AuthMethod.PreSharedKey;
        var credential = e.Pubkey.FindLocal(c, out error);
        return credential is null ? null : V1Signature.MethodFor(credential.Key, out error);
    }

    /// <summary>Our certificate and key for a negotiated signature method; null with the reason when we hold none that fits.</summary>
    public static LocalCredential? Credential(IkeEngine e, ConnectionConfig c, V1AuthMethod method, out string error)
    {
        var credential = e.Pubkey.FindLocal(c, out error);
        if (credential is null) return null;
        if (V1Signature.MethodFor(credential.Key, out error) is not { } ours) return null;
        if (ours != XAuth.XAuthMethod.Base(method))
        {
            error = $"the peer proposed authentication method {Name(method)}, our key for connection '{c.Name}' is {credential.Key} ({Name(ours)})";
            return null;
        }
        return credential;
    }

    public static void AddCertificateRequests(IkeEngine e, ConnectionConfig c, IsakmpMessage m)
    {
        if (!c.SendCertreq) return; // send_certreq = no
        foreach (var ca in e.Pubkey.TrustAnchors(c, out _))
            m.Add(IsakmpPayloadType.CertificateRequest, [X509Signature, .. ca.SubjectDN.GetDerEncoded()]);
    }

    public static void AddCertificates(IsakmpMessage m, LocalCredential credential)
    {
        m.Add(IsakmpPayloadType.Certificate, [X509Signature, .. credential.Certificate.GetEncoded()]);
        foreach (var ca in credential.Intermediates)
            m.Add(IsakmpPayloadType.Certificate, [X509Signature, .. ca.GetEncoded()]);
    }

    /// <summary>The X.509 certificates of the CERT payloads in order (others skipped); null with the reason if one does not parse.</summary>
    public static List<X509Certificate>? PeerCertificates(IsakmpMessage m, out string error)
    {
        error = "";
        var list = new List<X509Certificate>();
        var payloads = m.All(IsakmpPayloadType.Certificate).ToList();
        if (payloads.Count > PeerCertificateLimits.MaxCertificates)
        {
            error = $"{payloads.Count} CERT payloads exceed the limit of {PeerCertificateLimits.MaxCertificates}";
            return null;
        }
        foreach (var p in payloads)
        {
            if (p.Body.Length < 2 || p.Body[0] != X509Signature) continue;
            if (p.Body.Length - 1 > PeerCertificateLimits.MaxCertificateBytes)
            {
                error = $"a {p.Body.Length - 1}-byte certificate exceeds the limit of {PeerCertificateLimits.MaxCertificateBytes} bytes";
                return null;
            }
            X509Certificate cert;
            try
            {
                cert = CertificateLoader.ParseCertificateDer(p.Body[1..], $"{p.Body.Length - 1}-byte CERT payload");
            }
            catch (CertificateException ex)
            {
                error = ex.Message;
                return null;
            }
            if (PeerKeyPolicy.Problem(cert.GetPublicKey()) is { } keyProblem)
            {
                error = $"certificate '{PubkeyAuthenticator.Name(cert)}': {keyProblem}";
                return null;
            }
            list.Add(cert);
        }
        return list;
    }

    /// <summary>The prf of HASH_I/HASH_R: fixed by the curve for ECDSA (RFC 4754), the negotiated one otherwise.</summary>
    public static PrfAlgorithm AuthPrf(Phase1Suite suite)
    {
        string? keyword = suite.AuthMethod switch
        {
            V1AuthMethod.EcdsaSha256 => "prfsha256",
            V1AuthMethod.EcdsaSha384 => "prfsha384",
            V1AuthMethod.EcdsaSha512 => "prfsha512",
            _ => null,
        };
        return keyword is null ? suite.Prf : AlgorithmCatalog.All.First(a => a.Type == TransformType.Prf && a.Keyword == keyword).Prf!;
    }

    public static string Name(V1AuthMethod m) => m switch
    {
        V1AuthMethod.PreSharedKey => "pre-shared key",
        V1AuthMethod.RsaSignature => "RSA signature",
        V1AuthMethod.EcdsaSha256 => "ECDSA-256 signature",
        V1AuthMethod.EcdsaSha384 => "ECDSA-384 signature",
        V1AuthMethod.EcdsaSha512 => "ECDSA-521 signature",
        V1AuthMethod.XauthInitPsk => "pre-shared key with XAuth (XAUTHInitPreShared)",
        V1AuthMethod.XauthRespPsk => "pre-shared key with XAuth (XAUTHRespPreShared)",
        V1AuthMethod.XauthInitRsa => "RSA signature with XAuth (XAUTHInitRSA)",
        V1AuthMethod.XauthRespRsa => "RSA signature with XAuth (XAUTHRespRSA)",
        _ => m.ToString(),
    };
}
