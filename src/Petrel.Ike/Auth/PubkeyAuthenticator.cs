using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Auth;

/// <summary>
/// Certificate authentication of IKE_AUTH (RFC 7296 §2.15, §3.6, §3.7; RFC 7427): announces our signature
/// hashes and trusted CAs, finds our certificate and key, sends the certificate chain and signs our AUTH, and
/// checks the peer: its end-entity certificate (CERT payload or <c>remote.certs</c>), the chain to the trusted CAs
/// (<c>remote.cacerts</c>, else every loaded root) with validity, key usage and CRLs, that the certificate vouches
/// for the peer's IDi/IDr and the configured <c>remote.id</c>, and finally the AUTH signature itself.
/// </summary>
internal sealed class PubkeyAuthenticator(IIkeContext context)
{
    /// <summary>RFC 7427 §4 / RFC 8420 §2: the hashes we can verify with; Identity (5) admits Ed25519.</summary>
    private static readonly HashAlgorithmId[] OurHashes =
        [HashAlgorithmId.Sha2_256, HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_512, HashAlgorithmId.Identity];

    // RFC 4945 §5.1.3.12 / RFC 5280 §4.2.1.12: EKUs that allow IKE use when an EKU extension is present.
    private static readonly string[] IkeUsages =
    [
        KeyPurposeID.id_kp_serverAuth.Id, KeyPurposeID.id_kp_clientAuth.Id, CertificateBuilder.IkeIntermediate.Id,
        "1.3.6.1.5.5.7.3.17" /* id-kp-ipsecIKE, RFC 4945 */, KeyPurposeID.AnyExtendedKeyUsage.Id,
    ];

    /// <summary>Whether an <c>auth</c> value means signature authentication (strongSwan: pubkey, rsa, ecdsa, ed25519 and their constraint forms).</summary>
    public static bool IsPubkey(string auth)
    {
        string a = auth.ToLowerInvariant();
        return a is "pubkey" or "rsa" or "ecdsa" or "ed25519" or "ed448"
            || a.StartsWith("pubkey-", StringComparison.Ordinal) || a.StartsWith("rsa-", StringComparison.Ordinal)
            || a.StartsWith("rsa/", StringComparison.Ordinal) || a.StartsWith("ecdsa-", StringComparison.Ordinal);
    }

    public static bool UsesPubkey(ConnectionConfig c) => IsPubkey(c.Local.Auth) || IsPubkey(c.Remote.Auth);

    // ---- IKE_SA_INIT ----

    /// <summary>RFC 7427 §4: both sides send SIGNATURE_HASH_ALGORITHMS in IKE_SA_INIT.</summary>
    public void AddSignatureHashes(IkeMessage m)
    {
        if (context.Options.SignatureAuthentication)
            m.Payloads.Add(new NotifyPayload(NotifyType.SignatureHashAlgorithms, SignatureHashAlgorithms.Encode(OurHashes)));
    }

    /// <summary>Records the peer's SIGNATURE_HASH_ALGORITHMS and CERTREQs (IKE_SA_INIT response, or IKE_AUTH request).</summary>
    public void ReadPeerAnnouncements(IkeSa sa, IkeMessage m)
    {
        var hashes = m.GetNotify(NotifyType.SignatureHashAlgorithms);
        if (hashes is not null && context.Options.SignatureAuthentication)
        {
            if (SignatureHashAlgorithms.TryDecode(hashes.Data.Span, out var list, out string error))
                sa.PeerSignatureHashes = list;
            else
                context.Log.Debug(sa, error);
        }
        foreach (var req in m.GetAll<CertificateRequestPayload>())
        {
            if (req.Encoding != CertificateEncoding.X509Signature) continue;
            var span = req.Authorities.Span;
            for (int i = 0; i + CertificateRequestPayload.AuthorityHashLength <= span.Length; i += CertificateRequestPayload.AuthorityHashLength)
                sa.PeerCaHashes.Add(span.Slice(i, CertificateRequestPayload.AuthorityHashLength).ToArray());
        }
    }

    /// <summary>
    /// RFC 7296 §3.7: CERTREQ naming the CAs we trust for this connection by the SHA-1 hash of their SubjectPublicKeyInfo.
    /// Nothing when we trust none (a PSK-only setup).
    /// </summary>
    public void AddCertificateRequest(ConnectionConfig c, IkeMessage m)
    {
        var anchors = TrustAnchors(c, out _);
        if (anchors.Count == 0) return;
        var data = new byte[anchors.Count * CertificateRequestPayload.AuthorityHashLength];
        for (int i = 0; i < anchors.Count; i++)
            AuthorityHash(anchors[i], data.AsSpan(i * CertificateRequestPayload.AuthorityHashLength));
        m.Payloads.Add(new CertificateRequestPayload(CertificateEncoding.X509Signature, data));
    }

    // ---- our side ----

    /// <summary>
    /// Our certificate and key: from <c>local.certs</c>, else the loaded end-entity certificates that carry
    /// <c>local.id</c> (any, without one) and whose private key we hold; of several, the first under a CA the
    /// peer requested in CERTREQ, else the first.
    /// </summary>
    public LocalCredential? FindLocal(ConnectionConfig c, out string error, IReadOnlyList<byte[]>? requestedCas = null)
    {
        error = "";
        var store = context.Credentials.Store;
        if (store is null)
        {
            error = $"connection '{c.Name}' uses public key authentication but no certificates are loaded";
            return null;
        }
        Identity? id = c.Local.Id is { } text && Identity.TryParse(text, out var parsed, out _) && parsed is { IsAny: false } ? parsed : null;
        var candidates = new List<X509Certificate>();
        if (c.Local.Certs.Count > 0)
        {
            foreach (var file in c.Local.Certs)
            {
                var certs = store.FromFile(file, out string fileError);
                if (certs is null)
                {
                    error = $"connection '{c.Name}': local certificate {fileError}";
                    return null;
                }
                candidates.AddRange(certs);
            }
        }
        else
        {
            foreach (var cert in store.Certificates)
                if (cert.GetBasicConstraints() < 0 && (id is null || CertificateIdentity.Matches(id, cert)))
                    candidates.Add(cert);
        }
        LocalCredential? first = null;
        foreach (var cert in candidates)
        {
            var key = store.FindKeyFor(cert);
            if (key is null) continue;
            if (id is not null && !CertificateIdentity.Matches(id, cert))
            {
                error = $"connection '{c.Name}': local.id '{id}' is not in certificate '{Name(cert)}' ({CertificateIdentity.MismatchReason(id, cert)})";
                return null;
            }
            var credential = new LocalCredential(cert, key, ChainAbove(cert, store));
            // RFC 7296 §3.7: with several usable certificates, send one under a CA the peer asked for in CERTREQ.
            if (requestedCas is not { Count: > 0 } || IssuedUnderRequested(credential, store, requestedCas))
                return credential;
            first ??= credential;
        }
        if (first is not null)
            return first;
        error = candidates.Count == 0
            ? $"connection '{c.Name}': no certificate found for local id '{(id is null ? "%any" : id.ToString())}'"
            : $"connection '{c.Name}': no private key found for certificate '{Name(candidates[0])}'";
        return null;
    }

    /// <summary>RFC 7296 §3.7: how CERTREQ names a CA, the SHA-1 hash of its SubjectPublicKeyInfo.</summary>
    private static void AuthorityHash(X509Certificate ca, Span<byte> destination) =>
        SHA1.HashData(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(ca.GetPublicKey()).GetDerEncoded(), destination);

    /// <summary>Whether one of the CAs above our certificate (its intermediates, or the CA that signed the topmost) has a SubjectPublicKeyInfo hash the peer requested.</summary>
    private static bool IssuedUnderRequested(LocalCredential credential, CertificateStore store, IReadOnlyList<byte[]> requested)
    {
        var top = credential.Intermediates.Count > 0 ? credential.Intermediates[^1] : credential.Certificate;
        var cas = new List<X509Certificate>(credential.Intermediates);
        foreach (var ca in store.TrustAnchors)
            if (IssuerSearch.Issued(ca, top)) cas.Add(ca);
        Span<byte> hash = stackalloc byte[CertificateRequestPayload.AuthorityHashLength];
        foreach (var ca in cas)
        {
            AuthorityHash(ca, hash);
            foreach (var r in requested)
                if (hash.SequenceEqual(r)) return true;
        }
        return false;
    }

    /// <summary>The intermediate CAs from our certificate up to (not including) a self-signed root, as far as we hold them.</summary>
    private static List<X509Certificate> ChainAbove(X509Certificate cert, CertificateStore store)
    {
        var chain = new List<X509Certificate>();
        var current = cert;
        for (int depth = 0; depth < ChainValidator.MaxDepth; depth++)
        {
            var issuer = IssuerSearch.FindIssuer(current, store.Intermediates, chain);
            if (issuer is null) break;
            chain.Add(issuer);
            current = issuer;
        }
        return chain;
    }

    /// <summary>RFC 7296 §3.6: CERT payloads, end-entity certificate first, then the intermediates (encoding 4, DER).</summary>
    public static void AddCertificates(IkeMessage m, LocalCredential credential)
    {
        m.Payloads.Add(new CertificatePayload(CertificateEncoding.X509Signature, credential.Certificate.GetEncoded()));
        foreach (var ca in credential.Intermediates)
            m.Payloads.Add(new CertificatePayload(CertificateEncoding.X509Signature, ca.GetEncoded()));
    }

    /// <summary>Our AUTH: RFC 7427 method 14 when the peer announced a hash we can use, else the key's classic method.</summary>
    public AuthenticationPayload Sign(IkeSa sa, IdentificationPayload ourId, LocalCredential credential) => PrepareSignature(sa, ourId, credential)();

    /// <summary>
    /// Our AUTH in two steps: here, on the engine thread, the method and the signed octets (RFC 7296 §2.15, from the SA's
    /// state); the returned function signs them and touches nothing else, so it may run on a crypto worker.
    /// </summary>
    public Func<AuthenticationPayload> PrepareSignature(IkeSa sa, IdentificationPayload ourId, LocalCredential credential)
    {
        bool pss = sa.Config.Local.Auth.Contains("pss", StringComparison.OrdinalIgnoreCase);
        var (method, scheme) = SignatureAuthenticator.Choose(credential.Key, sa.PeerSignatureHashes, pss);
        var octets = SignedOctetsFor(sa, sa.IsInitiator, ourId);
        context.Log.Debug(sa, $"authenticating with {scheme} (AUTH method {(byte)method}) and certificate '{Name(credential.Certificate)}'");
        var key = credential.Key;
        return () => new AuthenticationPayload(method, SignatureAuthenticator.Sign(key, method, scheme, octets));
    }

    // ---- the peer ----

    /// <summary>
    /// Checks the peer's certificate and AUTH for a connection whose remote round is pubkey. The reason of a failure
    /// names the certificate and what is wrong (expired, revoked, untrusted issuer, identity mismatch, bad signature).
    /// </summary>
    public PeerAuthentication VerifyPeer(IkeSa sa, ConnectionConfig c, IkeMessage m, IdentificationPayload peerIdPayload, AuthenticationPayload auth)
    {
        var check = BeginVerifyPeer(sa, c, m, peerIdPayload, auth, out var failure);
        if (check is null) return failure!.Value;
        check.Run();
        return Finish(sa, c, check);
    }

    /// <summary>
    /// The checks of <see cref="VerifyPeer"/> after the message is read, shared with IKEv1 (whose CERT and SIG payloads
    /// differ): the end-entity certificate (pinned, first sent, or loaded), identity, chain, key usage, then the
    /// signature through <paramref name="verifySignature"/> (named <paramref name="what"/> in the reason), then revocation.
    /// </summary>
    internal PeerAuthentication VerifyCertificate(IkeSa sa, ConnectionConfig c, Identity peerId, IReadOnlyList<X509Certificate> sent,
        Func<X509Certificate, SignatureVerification> verifySignature, string what, SignatureBudget budget)
    {
        var check = Begin(c, peerId, sent, verifySignature, what, budget, out var failure);
        if (check is null) return failure!.Value;
        check.Run();
        return Finish(sa, c, check);
    }

    /// <summary>
    /// The end entity: a pinned remote.certs certificate, else the first CERT, else one from the store carrying the peer's
    /// identity; which must contain that identity (RFC 4945 §3.1) and match the configured remote id.
    /// </summary>
    private X509Certificate? EndEntity(CertificateStore store, ConnectionConfig c, Identity peerId, IReadOnlyList<X509Certificate> sent,
        List<X509Certificate> pinned, out PeerAuthentication? failure)
    {
        failure = null;
        X509Certificate? endEntity;
        if (pinned.Count > 0)
        {
            endEntity = sent.Count > 0 && pinned.Contains(sent[0]) ? sent[0] : pinned.Find(p => CertificateIdentity.Matches(peerId, p));
            if (endEntity is null)
            {
                failure = PeerAuthentication.Fail(sent.Count > 0
                    ? $"certificate '{Name(sent[0])}' of peer '{peerId}' is not one of the remote.certs of connection '{c.Name}'"
                    : $"none of the remote.certs of connection '{c.Name}' carries the peer's identity '{peerId}'");
                return null;
            }
        }
        else if (sent.Count > 0)
        {
            endEntity = sent[0];
        }
        else
        {
            endEntity = null;
            foreach (var cert in store.Certificates)
                if (cert.GetBasicConstraints() < 0 && CertificateIdentity.Matches(peerId, cert)) { endEntity = cert; break; }
            if (endEntity is null)
            {
                failure = PeerAuthentication.Fail($"peer '{peerId}' sent no certificate and none is loaded for it");
                return null;
            }
        }

        // RFC 4945 §3.1: the identity the peer claims must be in its certificate.
        if (!peerId.IsAny && !CertificateIdentity.Matches(peerId, endEntity))
        {
            failure = PeerAuthentication.Fail($"certificate '{Name(endEntity)}' does not contain the peer's identity '{peerId}'", endEntity);
            return null;
        }
        var pattern = context.Credentials.RemoteIdentityPattern(c);
        if (!pattern.IsAny && !pattern.Matches(peerId) && !CertificateIdentity.Matches(pattern, endEntity))
        {
            failure = PeerAuthentication.Fail($"id mismatch: configured remote id '{pattern}' vs certificate '{Name(endEntity)}' ({CertificateIdentity.MismatchReason(pattern, endEntity)})", endEntity);
            return null;
        }
        return endEntity;
    }

    /// <summary>
    /// <see cref="VerifyPeer"/> in steps for a crypto worker: the early checks here (null and <paramref name="failure"/> set
    /// when one fails, or null and no failure when the SA has no store), the chain and signature in
    /// <see cref="PeerCertificateCheck.Run"/> on any thread, then revocation in <see cref="Finish"/> on the engine thread.
    /// </summary>
    public PeerCertificateCheck? BeginVerifyPeer(IkeSa sa, ConnectionConfig c, IkeMessage m, IdentificationPayload peerIdPayload, AuthenticationPayload auth,
        out PeerAuthentication? failure)
    {
        failure = null;
        var peerId = peerIdPayload.Identity;
        if (auth.Method is not (AuthMethod.RsaDigitalSignature or AuthMethod.EcdsaSha256P256 or AuthMethod.EcdsaSha384P384
            or AuthMethod.EcdsaSha512P521 or AuthMethod.DigitalSignature))
        {
            failure = PeerAuthentication.Fail($"peer '{peerId}' authenticates with AUTH method {(byte)auth.Method} ({auth.Method}), connection '{c.Name}' expects a signature (auth = {c.Remote.Auth})");
            return null;
        }
        var sent = PeerCertificates(m, out string decodeError);
        if (sent is null)
        {
            failure = PeerAuthentication.Fail($"peer '{peerId}' sent an unusable CERT payload: {decodeError}");
            return null;
        }
        var octets = SignedOctetsFor(sa, !sa.IsInitiator, peerIdPayload);
        var method = auth.Method;
        var data = auth.Data.ToArray();
        return Begin(c, peerId, sent, cert => SignatureAuthenticator.Verify(cert, method, octets, data), "AUTH", BudgetFor(m), out failure);
    }

    /// <summary>The engine-thread part of <see cref="VerifyCertificate"/> before the chain: the end entity, identities and trust anchors.</summary>
    private PeerCertificateCheck? Begin(ConnectionConfig c, Identity peerId, IReadOnlyList<X509Certificate> sent,
        Func<X509Certificate, SignatureVerification> verifySignature, string what, SignatureBudget budget, out PeerAuthentication? failure)
    {
        failure = null;
        var store = context.Credentials.Store;
        if (store is null)
        {
            failure = PeerAuthentication.Fail($"connection '{c.Name}' expects a certificate from '{peerId}' but no certificates are loaded");
            return null;
        }
        var pinned = new List<X509Certificate>();
        foreach (var file in c.Remote.Certs)
        {
            var certs = store.FromFile(file, out string fileError);
            if (certs is null) { failure = PeerAuthentication.Fail($"connection '{c.Name}': remote certificate {fileError}"); return null; }
            pinned.AddRange(certs);
        }
        var endEntity = EndEntity(store, c, peerId, sent, pinned, out failure);
        if (endEntity is null) return null;
        var anchors = TrustAnchors(c, out string anchorError);
        if (anchorError.Length > 0)
        {
            failure = PeerAuthentication.Fail(anchorError, endEntity);
            return null;
        }
        return new PeerCertificateCheck(peerId, endEntity, pinned.Count > 0 ? [.. anchors, .. pinned] : anchors, [.. store.Intermediates],
            [.. sent.Skip(1)], context.Clock.UtcNow.UtcDateTime, verifySignature, what, budget);
    }

    /// <summary>On the engine thread after <see cref="PeerCertificateCheck.Run"/>: its verdict, then revocation of the chain.</summary>
    public PeerAuthentication Finish(IkeSa sa, ConnectionConfig c, PeerCertificateCheck check) =>
        check.Failure ?? CheckRevocation(sa, c, check.Chain, check.EndEntity);

    /// <summary>
    /// Revocation of each link of the validated chain (certificate, its issuer), then remote.revocation's verdict. A revoked
    /// link fails at once; a CRL still being fetched defers the whole message (the links are checked again from the start).
    /// </summary>
    private PeerAuthentication CheckRevocation(IkeSa sa, ConnectionConfig c, IReadOnlyList<X509Certificate> chain, X509Certificate endEntity)
    {
        var checker = context.Credentials.NewRevocationChecker();
        var now = context.Clock.UtcNow.UtcDateTime;
        var results = new List<(X509Certificate Cert, RevocationResult Result)>();
        bool pending = false;
        for (int i = 0; i + 1 < chain.Count; i++)
        {
            var result = checker.Check(chain[i], chain[i + 1], now, context.Clock.Now);
            if (result.Status == RevocationStatus.Revoked)
                return PeerAuthentication.Fail(result.Detail, endEntity);
            if (result.Status == RevocationStatus.Pending) pending = true;
            else results.Add((chain[i], result));
        }
        if (pending)
            return PeerAuthentication.Defer(endEntity);
        foreach (var (cert, result) in results)
        {
            if (RevocationChecker.PolicyFailure(c.Remote.Revocation, cert, result) is { } failure)
                return PeerAuthentication.Fail(failure, endEntity);
            context.Log.Debug(sa, $"certificate status of '{Name(cert)}': {result.Status.ToString().ToLowerInvariant()} ({result.Detail})");
        }
        return PeerAuthentication.Success(endEntity);
    }

    /// <summary>The end-entity certificate a CERT payload carries, for choosing among one-to-many connections before full checks.</summary>
    public static X509Certificate? FirstCertificate(IkeMessage m)
    {
        var sent = PeerCertificates(m, out _);
        return sent is { Count: > 0 } ? sent[0] : null;
    }

    /// <summary>Whether a certificate was issued (directly or through intermediates it or we hold) under one of a connection's CAs.</summary>
    public bool IssuedUnder(ConnectionConfig c, X509Certificate cert, IkeMessage m)
    {
        var store = context.Credentials.Store;
        if (store is null || c.Remote.CaCerts.Count == 0) return true;
        var anchors = TrustAnchors(c, out _);
        var sent = PeerCertificates(m, out _) ?? [];
        var pool = new List<X509Certificate>(store.Intermediates);
        pool.AddRange(sent.Skip(1));
        var current = cert;
        var budget = BudgetFor(m);
        for (int depth = 0; depth < ChainValidator.MaxDepth; depth++)
        {
            foreach (var a in anchors)
                if (a.Equals(current) || IssuerSearch.Issued(a, current, budget)) return true;
            var next = IssuerSearch.FindIssuer(current, pool, budget: budget);
            if (next is null) return false;
            current = next;
        }
        return false;
    }

    /// <summary>The CAs a connection trusts: its <c>remote.cacerts</c>, else every root in the store.</summary>
    internal List<X509Certificate> TrustAnchors(ConnectionConfig c, out string error)
    {
        error = "";
        var store = context.Credentials.Store;
        if (store is null) return [];
        if (c.Remote.CaCerts.Count == 0) return [.. store.TrustAnchors];
        var anchors = new List<X509Certificate>();
        foreach (var file in c.Remote.CaCerts)
        {
            var certs = store.FromFile(file, out string fileError, asCa: true);
            if (certs is null)
            {
                error = $"connection '{c.Name}': remote.cacerts {fileError}";
                continue;
            }
            anchors.AddRange(certs);
        }
        return anchors;
    }

    /// <summary>RFC 5280 §4.2.1.12: with an extendedKeyUsage extension, one of the purposes must allow IKE.</summary>
    internal static string? UsageProblem(X509Certificate cert)
    {
        List<string> ekus;
        try
        {
            var list = cert.GetExtendedKeyUsage();
            if (list is null) return null;
            ekus = [.. list.Select(o => o.Id)];
        }
        catch (Exception)
        {
            return $"certificate '{Name(cert)}' has a malformed extendedKeyUsage";
        }
        foreach (var oid in ekus)
            if (Array.IndexOf(IkeUsages, oid) >= 0) return null;
        return $"certificate '{Name(cert)}' has an extendedKeyUsage ({string.Join(", ", ekus)}) that does not allow IKE";
    }

    /// <summary>
    /// The X.509 certificates of the message's CERT payloads, in order; null if one does not parse or the payloads
    /// exceed <see cref="PeerCertificateLimits"/>. Parsed once per message: choosing among connections and the full
    /// check read the same list.
    /// </summary>
    internal static List<X509Certificate>? PeerCertificates(IkeMessage m, out string error)
    {
        var parsed = ParsedCertificates.GetValue(m, ParseCertificates);
        error = parsed.Error;
        return parsed.Certificates;
    }

    private static readonly ConditionalWeakTable<IkeMessage, ParsedPeerCertificates> ParsedCertificates = new();

    /// <summary>One signature budget per IKE_AUTH request, which carries the peer's certificates (one per SA).</summary>
    private static readonly ConditionalWeakTable<IkeMessage, SignatureBudget> Budgets = new();

    internal static SignatureBudget BudgetFor(IkeMessage m) => Budgets.GetValue(m, _ => new SignatureBudget());

    private sealed record ParsedPeerCertificates(List<X509Certificate>? Certificates, string Error);

    private static ParsedPeerCertificates ParseCertificates(IkeMessage m)
    {
        var payloads = m.GetAll<CertificatePayload>().ToList();
        if (payloads.Count > PeerCertificateLimits.MaxCertificates)
            return new(null, $"{payloads.Count} CERT payloads exceed the limit of {PeerCertificateLimits.MaxCertificates}");
        var list = new List<X509Certificate>();
        foreach (var p in payloads)
        {
            if (p.Encoding != CertificateEncoding.X509Signature) continue;
            if (p.Data.Length > PeerCertificateLimits.MaxCertificateBytes)
                return new(null, $"a {p.Data.Length}-byte certificate exceeds the limit of {PeerCertificateLimits.MaxCertificateBytes} bytes");
            X509Certificate cert;
            try
            {
                cert = CertificateLoader.ParseCertificateDer(p.Data.ToArray(), $"{p.Data.Length}-byte CERT payload");
            }
            catch (CertificateException e)
            {
                return new(null, e.Message);
            }
            if (PeerKeyPolicy.Problem(cert.GetPublicKey()) is { } keyProblem)
                return new(null, $"certificate '{Name(cert)}': {keyProblem}");
            list.Add(cert);
        }
        return new(list, "");
    }

    private static byte[] SignedOctetsFor(IkeSa sa, bool signerIsInitiator, IdentificationPayload id) =>
        signerIsInitiator
            ? SignedOctets.Build(sa.Suite!.Prf, sa.InitRequest, sa.Nr, sa.Keys!.SkPi, id.GetBody(), sa.IntAuth)
            : SignedOctets.Build(sa.Suite!.Prf, sa.InitResponse, sa.Ni, sa.Keys!.SkPr, id.GetBody(), sa.IntAuth);

    /// <summary>A certificate as strongSwan names it in logs: its subject DN ("C=CH, O=strongSwan, CN=moon").</summary>
    public static string Name(X509Certificate cert) => CertificateIdentity.Subject(cert).ToString();
}
