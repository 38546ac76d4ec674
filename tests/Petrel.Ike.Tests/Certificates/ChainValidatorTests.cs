using Org.BouncyCastle.Math;
using Petrel.Ike.Certificates;

namespace Petrel.Ike.Tests.Certificates;

public class ChainValidatorTests
{
    private static readonly TestPki Pki = new();
    private static readonly DateTime Now = TestPki.Now;

    [Fact]
    public void Chain_through_a_known_intermediate_validates()
    {
        var (cert, _) = Pki.Issue("C=CH, O=Petrel Test, CN=moon");
        var result = new ChainValidator([Pki.Root], [Pki.Intermediate]).Validate(cert, Now);
        Assert.True(result.Ok, result.Reason);
        Assert.Equal([cert, Pki.Intermediate, Pki.Root], result.Chain);
    }

    [Fact]
    public void Intermediate_sent_by_the_peer_completes_the_chain()
    {
        var (cert, _) = Pki.Issue("CN=moon");
        var result = new ChainValidator([Pki.Root]).Validate(cert, Now, [Pki.Intermediate]);
        Assert.True(result.Ok, result.Reason);
    }

    [Fact]
    public void Missing_intermediate_fails_naming_the_issuer()
    {
        var (cert, _) = Pki.Issue("CN=moon");
        var result = new ChainValidator([Pki.Root]).Validate(cert, Now);
        Assert.False(result.Ok);
        Assert.Equal("no trusted chain: issuer 'C=CH,O=Petrel Test,CN=Intermediate CA' of 'CN=moon' is neither a trusted CA nor a known intermediate", result.Reason);
    }

    [Fact]
    public void Certificate_from_another_CA_fails()
    {
        var other = new TestPki();
        var (cert, _) = other.Issue("CN=mallory", viaIntermediate: false);
        var result = new ChainValidator([Pki.Root], [Pki.Intermediate]).Validate(cert, Now);
        Assert.False(result.Ok);
        // Same CA name, different key: the signature is what decides.
        Assert.Contains("does not verify with the key of trusted CA 'C=CH,O=Petrel Test,CN=Root CA'", result.Reason);
    }

    [Fact]
    public void Expired_and_not_yet_valid_certificates_fail_with_the_date()
    {
        var (expired, _) = Pki.Issue("CN=old", notBefore: Now.AddYears(-2), notAfter: Now.AddDays(-1));
        var (future, _) = Pki.Issue("CN=new", notBefore: Now.AddDays(1), notAfter: Now.AddYears(1));
        var validator = new ChainValidator([Pki.Root], [Pki.Intermediate]);
        var e = validator.Validate(expired, Now);
        Assert.False(e.Ok);
        Assert.Equal($"certificate 'CN=old' expired on {Now.AddDays(-1):yyyy-MM-dd HH:mm:ss} UTC", e.Reason);
        var f = validator.Validate(future, Now);
        Assert.False(f.Ok);
        Assert.Equal($"certificate 'CN=new' is not valid before {Now.AddDays(1):yyyy-MM-dd HH:mm:ss} UTC", f.Reason);
        Assert.True(validator.Validate(future, Now.AddDays(2)).Ok);
    }

    [Fact]
    public void Expired_intermediate_fails_the_chain()
    {
        var key = CertificateBuilder.GenerateKey(KeyKind.Ecdsa);
        var oldCa = CertificateBuilder.Issue(key.PublicKey, "CN=Old Intermediate", [], Pki.Root, Pki.RootKey, Now.AddYears(-3), Now.AddDays(-5), isCa: true);
        var leafKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa);
        var leaf = CertificateBuilder.Issue(leafKey.PublicKey, "CN=leaf", [], oldCa, key, Now.AddYears(-2), Now.AddYears(1));
        var result = new ChainValidator([Pki.Root], [oldCa]).Validate(leaf, Now);
        Assert.False(result.Ok);
        Assert.StartsWith("certificate 'CN=Old Intermediate' expired on", result.Reason);
    }

    [Fact]
    public void End_entity_cannot_act_as_a_CA()
    {
        var (fakeCa, fakeKey) = Pki.Issue("CN=not a CA");
        var leafKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa);
        var leaf = CertificateBuilder.Issue(leafKey.PublicKey, "CN=leaf", [], fakeCa, fakeKey, Now.AddDays(-1), Now.AddDays(30));
        var result = new ChainValidator([Pki.Root], [Pki.Intermediate, fakeCa]).Validate(leaf, Now);
        Assert.False(result.Ok);
        Assert.Equal("issuer 'CN=not a CA' is not a CA (no basicConstraints cA)", result.Reason);
    }

    [Fact]
    public void Revoked_certificate_fails_naming_it_and_the_reason()
    {
        var (revoked, _) = Pki.Issue("CN=carol");
        var (fine, _) = Pki.Issue("CN=dave");
        var crl = CertificateBuilder.Crl(Pki.Intermediate, Pki.IntermediateKey, [(revoked.SerialNumber, Now.AddDays(-2), 1)], Now.AddDays(-2), Now.AddDays(7));
        var validator = new ChainValidator([Pki.Root], [Pki.Intermediate], [crl]);
        var result = validator.Validate(revoked, Now);
        Assert.False(result.Ok);
        Assert.Equal($"certificate 'CN=carol' (serial {revoked.SerialNumber.ToString(16)}) was revoked on {Now.AddDays(-2):yyyy-MM-dd HH:mm:ss} UTC, reason key compromise by the CRL of 'C=CH,O=Petrel Test,CN=Intermediate CA'", result.Reason);
        Assert.True(validator.Validate(fine, Now).Ok);
    }

    [Fact]
    public void Revoked_intermediate_fails_its_whole_subtree()
    {
        var (cert, _) = Pki.Issue("CN=moon");
        var crl = CertificateBuilder.Crl(Pki.Root, Pki.RootKey, [(Pki.Intermediate.SerialNumber, Now.AddDays(-1), 2)], Now.AddDays(-1), Now.AddDays(7));
        var result = new ChainValidator([Pki.Root], [Pki.Intermediate], [crl]).Validate(cert, Now);
        Assert.False(result.Ok);
        Assert.Contains("'C=CH,O=Petrel Test,CN=Intermediate CA'", result.Reason);
        Assert.Contains("reason ca compromise", result.Reason);
    }

    [Fact]
    public void CRL_signed_by_another_key_is_ignored()
    {
        var (cert, _) = Pki.Issue("CN=carol");
        var impostor = CertificateBuilder.GenerateKey(KeyKind.Ecdsa);
        var forgedCa = CertificateBuilder.SelfSignedCa(impostor, "C=CH, O=Petrel Test, CN=Intermediate CA", Now.AddDays(-1), Now.AddDays(10));
        var forged = CertificateBuilder.Crl(forgedCa, impostor, [(cert.SerialNumber, Now.AddDays(-1), 1)], Now.AddDays(-1), Now.AddDays(7));
        Assert.True(new ChainValidator([Pki.Root], [Pki.Intermediate], [forged]).Validate(cert, Now).Ok);
        Assert.NotEqual(BigInteger.Zero, cert.SerialNumber);
    }

    [Fact]
    public void CRL_round_trips_through_a_file()
    {
        string dir = OpenSsl.TempDir();
        var (cert, _) = Pki.Issue("CN=carol");
        var crl = CertificateBuilder.Crl(Pki.Intermediate, Pki.IntermediateKey, [(cert.SerialNumber, Now.AddDays(-1), 4)], Now.AddDays(-1), Now.AddDays(7));
        File.WriteAllText(Path.Combine(dir, "ca.crl"), CertificateBuilder.CrlPem(crl));
        File.WriteAllBytes(Path.Combine(dir, "ca.der"), crl.GetEncoded());
        var fromPem = CertificateLoader.LoadCrl(Path.Combine(dir, "ca.crl"));
        var fromDer = CertificateLoader.LoadCrl(Path.Combine(dir, "ca.der"));
        Assert.Contains("reason superseded", new ChainValidator([Pki.Root], [Pki.Intermediate], [fromPem]).Validate(cert, Now).Reason);
        Assert.False(new ChainValidator([Pki.Root], [Pki.Intermediate], [fromDer]).Validate(cert, Now).Ok);
        // openssl reads the CRL we wrote.
        OpenSsl.MustRun(dir, "crl", "-in", "ca.crl", "-noout", "-text");
    }
}
