using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Petrel.Ike.Certificates;
using X509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Petrel.Ike.Eap;

/// <summary>The pieces both EAP-TLS roles take from BouncyCastle's TLS API: crypto, our credential, the peer's chain, the MSK.</summary>
internal static class EapTlsBc
{
    /// <summary>RFC 5216 §2.3: Key_Material = TLS-PRF-128(master secret, "client EAP encryption", client.random ‖ server.random); MSK is its first 64 bytes.</summary>
    public const string KeyLabel = "client EAP encryption";

    public static BcTlsCrypto NewCrypto() => new(new SecureRandom());

    /// <summary>EAP-TLS as strongSwan 5.9.8 speaks it: TLS 1.2 (its default version_max).</summary>
    public static ProtocolVersion[] Versions => ProtocolVersion.TLSv12.Only();

    public static Certificate Chain(BcTlsCrypto crypto, EapTlsCredentials own)
    {
        var list = new List<TlsCertificate> { new BcTlsCertificate(crypto, own.Certificate.GetEncoded()) };
        foreach (var ca in own.Intermediates)
            list.Add(new BcTlsCertificate(crypto, ca.GetEncoded()));
        return new Certificate(list.ToArray());
    }

    public static short SignatureAlgorithmOf(PrivateKey key) => key.Kind switch
    {
        KeyKind.Rsa => SignatureAlgorithm.rsa,
        KeyKind.Ecdsa => SignatureAlgorithm.ecdsa,
        _ => SignatureAlgorithm.ed25519,
    };

    public static TlsCredentialedSigner Signer(TlsContext context, BcTlsCrypto crypto, EapTlsCredentials own, IList<SignatureAndHashAlgorithm>? offered)
    {
        short algorithm = SignatureAlgorithmOf(own.Key);
        var chosen = TlsUtilities.ChooseSignatureAndHashAlgorithm(context, offered, algorithm);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, own.Key.Key, Chain(crypto, own), chosen);
    }

    /// <summary>Cipher suites that fit our key (TLS 1.2, ECDHE, AEAD first).</summary>
    public static int[] SuitesFor(PrivateKey key) => key.Kind == KeyKind.Rsa
        ? [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
           CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
           CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]
        : [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
           CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
           CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA];

    /// <summary>The client offers both families; the server's key decides.</summary>
    public static int[] ClientSuites =>
        [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
         CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
         CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
         CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA];

    /// <summary>
    /// Checks the chain the other side sent; returns the reason it is refused, or null. The bounds of IKE_AUTH's CERT
    /// payloads apply (issue 12): at most <see cref="PeerCertificateLimits.MaxCertificates"/> certificates of at most
    /// <see cref="PeerCertificateLimits.MaxCertificateBytes"/> each, no key <see cref="PeerKeyPolicy"/> refuses, and one
    /// <see cref="SignatureBudget"/> for building the chain.
    /// </summary>
    public static string? Verify(Certificate? chain, EapTlsCredentials own)
    {
        if (chain is null || chain.IsEmpty)
            return "the peer sent no certificate";
        if (chain.Length > PeerCertificateLimits.MaxCertificates)
            return $"{chain.Length} certificates exceed the limit of {PeerCertificateLimits.MaxCertificates}";
        var parsed = new List<X509Certificate>(chain.Length);
        for (int i = 0; i < chain.Length; i++)
        {
            var der = chain.GetCertificateAt(i).GetEncoded();
            if (der.Length > PeerCertificateLimits.MaxCertificateBytes)
                return $"a {der.Length}-byte certificate exceeds the limit of {PeerCertificateLimits.MaxCertificateBytes} bytes";
            X509Certificate cert;
            try
            {
                cert = CertificateLoader.ParseCertificateDer(der, $"{der.Length}-byte TLS certificate");
            }
            catch (CertificateException e)
            {
                return e.Message;
            }
            if (PeerKeyPolicy.Problem(cert.GetPublicKey()) is { } keyProblem)
                return $"certificate '{CertificateIdentity.Subject(cert)}': {keyProblem}";
            parsed.Add(cert);
        }
        return own.VerifyPeer(parsed[0], parsed.Skip(1).ToList(), new SignatureBudget());
    }

    /// <summary>The first 64 bytes of the RFC 5216 key material.</summary>
    public static byte[] Msk(TlsContext context)
    {
        // The TLS 1.2 PRF over the master secret; the same as RFC 5705's exporter without context, computed directly
        // because peers such as strongSwan 5.9.8 do not negotiate extended_master_secret.
        var sp = context.SecurityParameters;
        var seed = new byte[sp.ClientRandom.Length + sp.ServerRandom.Length];
        sp.ClientRandom.CopyTo(seed, 0);
        sp.ServerRandom.CopyTo(seed, sp.ClientRandom.Length);
        return TlsUtilities.Prf(sp, sp.MasterSecret, KeyLabel, seed, 128).Extract()[..64];
    }
}
