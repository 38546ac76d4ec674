using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Eap;
using Petrel.Ike.Tests.Certificates;

namespace Petrel.Ike.Tests.Eap;

/// <summary>
/// The certificate chain an EAP-TLS peer sends (either role) is held to IKE_AUTH's bounds (issue 12): at most 16
/// certificates of at most 32 KiB, no hostile keys, and one signature budget for building its chain; each refusal is a
/// reason given before the chain check runs.
/// </summary>
public class EapTlsPeerChainLimitTests
{
    private static readonly TestPki Pki = new();
    private static readonly DateTime Now = TestPki.Now;
    private static readonly BcTlsCrypto Crypto = EapTlsBc.NewCrypto();

    private sealed class Recorder
    {
        public int Calls;
        public int Intermediates;
        public readonly List<SignatureBudget> Budgets = [];

        public EapTlsCredentials Credentials()
        {
            var (own, key) = Pki.Issue("CN=gw.example.org");
            return new EapTlsCredentials
            {
                Certificate = own,
                Key = key,
                VerifyPeer = (peer, intermediates, budget) =>
                {
                    Calls++;
                    Intermediates = intermediates.Count;
                    Budgets.Add(budget);
                    var result = new ChainValidator([Pki.Root]).Validate(peer, Now, intermediates, budget);
                    return result.Ok ? null : result.Reason;
                },
            };
        }
    }

    private static Certificate Chain(IEnumerable<X509Certificate> certs) =>
        new([.. certs.Select(c => (TlsCertificate)new BcTlsCertificate(Crypto, c.GetEncoded()))]);

    [Fact]
    public void Sixteen_certificates_are_checked_and_seventeen_refused_before_the_chain_check()
    {
        var (leaf, _) = Pki.Issue("CN=carol");
        var r = new Recorder();
        var own = r.Credentials();

        Assert.Null(EapTlsBc.Verify(Chain([leaf, .. Enumerable.Repeat(Pki.Intermediate, 15)]), own));
        Assert.Equal(1, r.Calls);
        Assert.Equal(15, r.Intermediates);

        Assert.Equal("17 certificates exceed the limit of 16", EapTlsBc.Verify(Chain([leaf, .. Enumerable.Repeat(Pki.Intermediate, 16)]), own));
        Assert.Equal(1, r.Calls);
    }

    [Fact]
    public void An_oversized_certificate_is_refused_by_its_length()
    {
        // 2,000 DNS names make a certificate of more than 32 KiB that is otherwise well formed.
        var key = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 256);
        var names = Enumerable.Range(0, 2000).Select(i => $"host-{i:D5}.example.org").ToArray();
        var big = CertificateBuilder.Issue(key.PublicKey, "C=CH, O=Petrel Test, CN=big", names, Pki.Intermediate, Pki.IntermediateKey, Now.AddDays(-1), Now.AddDays(30));
        int size = big.GetEncoded().Length;
        Assert.True(size > PeerCertificateLimits.MaxCertificateBytes);
        var r = new Recorder();

        Assert.Equal($"a {size}-byte certificate exceeds the limit of 32768 bytes", EapTlsBc.Verify(Chain([big, Pki.Intermediate]), r.Credentials()));
        Assert.Equal(0, r.Calls);
    }

    [Fact]
    public void A_certificate_with_a_huge_rsa_exponent_is_refused_before_any_signature_check()
    {
        var modulus = ((RsaKeyParameters)CertificateBuilder.GenerateKey(KeyKind.Rsa, 2048).PublicKey).Modulus;
        var hostile = new RsaKeyParameters(false, modulus, BigInteger.One.ShiftLeft(1024).Add(BigInteger.One));
        var cert = CertificateBuilder.Issue(hostile, "C=CH, O=Petrel Test, CN=mallory", [], Pki.Intermediate, Pki.IntermediateKey, Now.AddDays(-1), Now.AddDays(30));
        var r = new Recorder();

        Assert.Equal("certificate 'C=CH, O=Petrel Test, CN=mallory': RSA public exponent of 1025 bits exceeds 64",
            EapTlsBc.Verify(Chain([cert, Pki.Intermediate]), r.Credentials()));
        Assert.Equal(0, r.Calls);
    }

    [Fact]
    public void Each_handshake_gets_its_own_signature_budget_and_an_honest_chain_spends_two_checks()
    {
        var (leaf, _) = Pki.Issue("CN=carol");
        var r = new Recorder();
        var own = r.Credentials();

        Assert.Null(EapTlsBc.Verify(Chain([leaf, Pki.Intermediate]), own));
        Assert.Null(EapTlsBc.Verify(Chain([leaf, Pki.Intermediate]), own));

        Assert.Equal(2, r.Budgets.Count);
        Assert.NotSame(r.Budgets[0], r.Budgets[1]);
        Assert.All(r.Budgets, b => Assert.Equal((SignatureBudget.DefaultChecks, 2), (b.Limit, b.Used)));
    }

    [Fact]
    public void Decoy_issuers_within_the_count_limit_spend_the_budget_not_more()
    {
        var (leaf, _) = Pki.Issue("CN=carol");
        var decoyKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 256);
        // 15 certificates named like the real intermediate, with another key: each one costs a signature check.
        var decoys = Enumerable.Range(0, 15).Select(_ => CertificateBuilder.Issue(decoyKey.PublicKey, "C=CH, O=Petrel Test, CN=Intermediate CA", [],
            Pki.Root, Pki.RootKey, Now.AddDays(-1), Now.AddDays(30), isCa: true)).ToList();
        var r = new Recorder();

        EapTlsBc.Verify(Chain([leaf, .. decoys]), r.Credentials());

        var budget = Assert.Single(r.Budgets);
        Assert.InRange(budget.Used, 15, SignatureBudget.DefaultChecks);
    }
}
