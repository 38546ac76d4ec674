using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Petrel.Ike.Auth;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Certificates;

/// <summary>
/// Bounded work before authentication (issue 12): the number and size of CERT payloads, the keys in the peer's
/// certificates, and the signature checks one IKE_AUTH may cost, each refused with a reason before the work is done.
/// </summary>
public class PeerCertificateLimitTests
{
    private static readonly TestPki Pki = new();
    private static readonly DateTime Now = TestPki.Now;

    private static IkeMessage AuthRequest(IEnumerable<byte[]> certificates)
    {
        var m = new IkeMessage { InitiatorSpi = 1, ResponderSpi = 2, ExchangeType = ExchangeType.IkeAuth, IsInitiator = true, MessageId = 1 };
        foreach (var der in certificates)
            m.Payloads.Add(new CertificatePayload(CertificateEncoding.X509Signature, der));
        return m;
    }

    [Fact]
    public void Sixteen_cert_payloads_are_read_and_seventeen_refused_before_parsing()
    {
        var (cert, _) = Pki.Issue("CN=moon");
        var sixteen = AuthRequest(Enumerable.Repeat(cert.GetEncoded(), PeerCertificateLimits.MaxCertificates));
        Assert.Equal(16, PubkeyAuthenticator.PeerCertificates(sixteen, out string ok)!.Count);
        Assert.Equal("", ok);

        // The 17th is garbage: had it been parsed, the error would be a DER one.
        var seventeen = AuthRequest([.. Enumerable.Repeat(cert.GetEncoded(), 16), new byte[] { 0x30, 0x03, 1, 2, 3 }]);
        Assert.Null(PubkeyAuthenticator.PeerCertificates(seventeen, out string error));
        Assert.Equal("17 CERT payloads exceed the limit of 16", error);
        Assert.Null(PubkeyAuthenticator.FirstCertificate(seventeen));
    }

    [Fact]
    public void An_oversized_certificate_is_refused_by_its_length()
    {
        var m = AuthRequest([new byte[PeerCertificateLimits.MaxCertificateBytes + 1]]);
        Assert.Null(PubkeyAuthenticator.PeerCertificates(m, out string error));
        Assert.Equal("a 32769-byte certificate exceeds the limit of 32768 bytes", error);
    }

    [Fact]
    public void A_certificate_is_parsed_once_per_message()
    {
        var (cert, _) = Pki.Issue("CN=moon");
        var m = AuthRequest([cert.GetEncoded()]);
        var first = PubkeyAuthenticator.PeerCertificates(m, out _);
        Assert.Same(first, PubkeyAuthenticator.PeerCertificates(m, out _));
    }

    public static TheoryData<string, string> HostileKeys => new()
    {
        { "huge exponent", "RSA public exponent of 1025 bits exceeds 64" },
        { "explicit curve", "EC key with explicit curve parameters (only named curves are accepted)" },
    };

    [Theory]
    [MemberData(nameof(HostileKeys))]
    public void Hostile_keys_in_peer_certificates_are_refused_before_any_signature_check(string kind, string reason)
    {
        var key = HostileKey(kind);
        var cert = CertificateBuilder.Issue(key, "C=CH, O=Petrel Test, CN=mallory", [], Pki.Intermediate, Pki.IntermediateKey, Now.AddDays(-1), Now.AddDays(30));
        Assert.Equal(reason, PeerKeyPolicy.Problem(cert.GetPublicKey()));

        var m = AuthRequest([cert.GetEncoded()]);
        Assert.Null(PubkeyAuthenticator.PeerCertificates(m, out string error));
        Assert.Equal($"certificate 'C=CH, O=Petrel Test, CN=mallory': {reason}", error);
    }

    [Theory]
    [InlineData(KeyKind.Rsa, 2048)]
    [InlineData(KeyKind.Ecdsa, 256)]
    [InlineData(KeyKind.Ecdsa, 521)]
    [InlineData(KeyKind.Ed25519, 0)]
    public void Ordinary_keys_pass(KeyKind kind, int bits)
    {
        Assert.Null(PeerKeyPolicy.Problem(CertificateBuilder.GenerateKey(kind, bits).PublicKey));
    }

    [Fact]
    public void Decoy_issuers_spend_the_signature_budget_and_validation_gives_up()
    {
        var (cert, _) = Pki.Issue("CN=moon");
        // 40 certificates named like the real intermediate, with other keys: each is a candidate issuer of cert.
        var decoyKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 256);
        var decoys = Enumerable.Range(0, 40).Select(_ => CertificateBuilder.Issue(decoyKey.PublicKey, "C=CH, O=Petrel Test, CN=Intermediate CA", [],
            Pki.Root, Pki.RootKey, Now.AddDays(-1), Now.AddDays(30), isCa: true)).ToList();

        var budget = new SignatureBudget();
        var result = new ChainValidator([Pki.Root]).Validate(cert, Now, [.. decoys, Pki.Intermediate], budget);
        Assert.False(result.Ok);
        Assert.Equal("no trusted chain: certificate chain validation gave up after 32 signature checks", result.Reason);
        Assert.Equal(32, budget.Used);

        // Without a budget (local tools, our own store) the same search goes on and finds the real intermediate.
        Assert.True(new ChainValidator([Pki.Root]).Validate(cert, Now, [.. decoys, Pki.Intermediate]).Ok);
    }

    [Fact]
    public void An_honest_chain_uses_a_few_checks()
    {
        var (cert, _) = Pki.Issue("CN=moon");
        var budget = new SignatureBudget();
        Assert.True(new ChainValidator([Pki.Root]).Validate(cert, Now, [Pki.Intermediate], budget).Ok);
        Assert.Equal(2, budget.Used);
    }

    private static Org.BouncyCastle.Crypto.AsymmetricKeyParameter HostileKey(string kind)
    {
        var random = new SecureRandom();
        switch (kind)
        {
            case "huge exponent":
                // A real modulus (BouncyCastle checks moduli when the certificate is parsed) with a 1025-bit exponent:
                // verifying with it would cost as much as an RSA private-key operation.
                var modulus = ((RsaKeyParameters)CertificateBuilder.GenerateKey(KeyKind.Rsa, 2048).PublicKey).Modulus;
                return new RsaKeyParameters(false, modulus, BigInteger.One.ShiftLeft(1024).Add(BigInteger.One));
            default:
                // P-256's parameters spelled out instead of named.
                var named = ECNamedCurveTable.GetByName("P-256");
                var domain = new ECDomainParameters(named.Curve, named.G, named.N, named.H, named.GetSeed());
                var generator = new ECKeyPairGenerator();
                generator.Init(new ECKeyGenerationParameters(domain, random));
                return generator.GenerateKeyPair().Public;
        }
    }
}
