using System.Text;
using Petrel.Ike.Certificates;

namespace Petrel.Ike.Tests.Certificates;

public class CertificateLoaderTests
{
    private static readonly TestPki Pki = new();

    private static void AssertOneLine(CertificateException e, string expected)
    {
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Certificate_loads_from_PEM_and_DER_alike()
    {
        var (cert, _) = Pki.Issue("CN=carol", ["carol@strongswan.org"]);
        var pem = CertificateLoader.ParseCertificates(Encoding.ASCII.GetBytes(CertificateBuilder.CertificatePem(cert)), "carol.pem");
        var der = CertificateLoader.ParseCertificates(cert.GetEncoded(), "carol.der");
        Assert.Equal(cert, Assert.Single(pem));
        Assert.Equal(cert, Assert.Single(der));
    }

    [Fact]
    public void PEM_file_with_a_chain_gives_every_certificate()
    {
        var (cert, _) = Pki.Issue("CN=carol");
        string text = "subject=CN=carol\n" + CertificateBuilder.CertificatePem(cert) + CertificateBuilder.CertificatePem(Pki.Intermediate);
        var certs = CertificateLoader.ParseCertificates(Encoding.ASCII.GetBytes(text), "chain.pem");
        Assert.Equal([cert, Pki.Intermediate], certs);
    }

    public static TheoryData<string, string, string> MalformedInputs => new()
    {
        { "garbage DER", "not ASN.1 at all", "not a valid X.509 certificate (malformed DER" },
        { "PEM without END", "-----BEGIN CERTIFICATE-----\nMIIB\n", "has no '-----END CERTIFICATE-----' line" },
        { "PEM not Base64", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "is not valid Base64" },
        { "PEM empty", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", "is empty" },
        { "PEM wrong block", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "no CERTIFICATE in PEM (found PUBLIC KEY)" },
        { "PEM of a non-certificate", "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n", "not a valid X.509 certificate" },
    };

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void Malformed_certificate_input_gives_a_one_line_error(string name, string text, string expected)
    {
        var e = Assert.Throws<CertificateException>(() => CertificateLoader.ParseCertificates(Encoding.ASCII.GetBytes(text), "x509/bad.pem"));
        AssertOneLine(e, expected);
        Assert.StartsWith("x509/bad.pem: ", e.Message);
        Assert.NotEmpty(name);
    }

    [Fact]
    public void Every_truncation_and_byte_flip_of_a_certificate_is_a_clear_error_or_a_certificate()
    {
        var (cert, _) = Pki.Issue("CN=fuzz", ["fuzz.example.org"]);
        byte[] der = cert.GetEncoded();
        for (int n = 0; n < der.Length; n++)
        {
            var e = Assert.Throws<CertificateException>(() => CertificateLoader.ParseCertificateDer(der[..n], "t.der"));
            AssertOneLine(e, "t.der: ");
        }
        var random = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutated = (byte[])der.Clone();
            mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                CertificateLoader.ParseCertificateDer(mutated, "m.der");
            }
            catch (CertificateException e)
            {
                AssertOneLine(e, "m.der: ");
            }
        }
    }

    [Fact]
    public void Unreadable_and_empty_files_name_the_file()
    {
        string dir = OpenSsl.TempDir();
        var missing = Assert.Throws<CertificateException>(() => CertificateLoader.LoadCertificate(Path.Combine(dir, "nope.pem")));
        AssertOneLine(missing, "nope.pem: cannot read certificate file: no such file");
        File.WriteAllBytes(Path.Combine(dir, "empty.pem"), []);
        var empty = Assert.Throws<CertificateException>(() => CertificateLoader.LoadPrivateKey(Path.Combine(dir, "empty.pem")));
        AssertOneLine(empty, "empty.pem: private key file is empty");
    }

    [Theory]
    [InlineData(KeyKind.Rsa, 2048)]
    [InlineData(KeyKind.Ecdsa, 256)]
    [InlineData(KeyKind.Ecdsa, 384)]
    [InlineData(KeyKind.Ecdsa, 521)]
    [InlineData(KeyKind.Ed25519, 0)]
    public void Keys_round_trip_through_PKCS8_and_encrypted_PKCS8(KeyKind kind, int bits)
    {
        var key = CertificateBuilder.GenerateKey(kind, bits);
        var plain = CertificateLoader.ParsePrivateKey(Encoding.ASCII.GetBytes(CertificateBuilder.PrivateKeyPem(key)), "k.pem");
        var der = CertificateLoader.ParsePrivateKey(CertificateBuilder.PrivateKeyDer(key), "k.der");
        var encrypted = CertificateLoader.ParsePrivateKey(Encoding.ASCII.GetBytes(CertificateBuilder.PrivateKeyPem(key, "s3cret")), "k.pem", "s3cret");
        var encryptedDer = CertificateLoader.ParsePrivateKey(CertificateBuilder.EncryptedPrivateKeyDer(key, "s3cret", 1000), "k.der", "s3cret");
        foreach (var k in new[] { plain, der, encrypted, encryptedDer })
        {
            Assert.Equal(kind, k.Kind);
            Assert.Equal(key.PublicKey, k.PublicKey);
        }
    }

    [Fact]
    public void Wrong_or_missing_passphrase_is_a_clear_error()
    {
        var key = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 256);
        byte[] pem = Encoding.ASCII.GetBytes(CertificateBuilder.PrivateKeyPem(key, "right"));
        AssertOneLine(Assert.Throws<CertificateException>(() => CertificateLoader.ParsePrivateKey(pem, "private/moon.pem", "wrong")),
            "private/moon.pem: wrong passphrase for the encrypted private key");
        AssertOneLine(Assert.Throws<CertificateException>(() => CertificateLoader.ParsePrivateKey(pem, "private/moon.pem")),
            "private/moon.pem: the private key is encrypted and no passphrase is configured for it");
    }

    [Fact]
    public void Keys_written_by_openssl_load_in_every_format()
    {
        string dir = OpenSsl.TempDir();
        OpenSsl.MustRun(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
        OpenSsl.MustRun(dir, "rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa1.pem");
        OpenSsl.MustRun(dir, "rsa", "-in", "rsa.pem", "-traditional", "-outform", "DER", "-out", "rsa1.der");
        OpenSsl.MustRun(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "ec.pem");
        OpenSsl.MustRun(dir, "ec", "-in", "ec.pem", "-out", "sec1.pem");
        OpenSsl.MustRun(dir, "ec", "-in", "ec.pem", "-outform", "DER", "-out", "sec1.der");
        OpenSsl.MustRun(dir, "genpkey", "-algorithm", "ED25519", "-out", "ed.pem");
        OpenSsl.MustRun(dir, "pkcs8", "-topk8", "-in", "ec.pem", "-passout", "pass:open sesame", "-out", "ec-enc.pem");
        OpenSsl.MustRun(dir, "pkcs8", "-topk8", "-in", "ed.pem", "-passout", "pass:open sesame", "-outform", "DER", "-out", "ed-enc.der");

        Assert.Equal(KeyKind.Rsa, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "rsa.pem")).Kind);
        Assert.Equal(KeyKind.Rsa, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "rsa1.pem")).Kind);
        Assert.Equal(2048, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "rsa1.der")).Bits);
        Assert.Equal(384, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "sec1.pem")).Bits);
        Assert.Equal(384, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "sec1.der")).Bits);
        Assert.Equal(KeyKind.Ed25519, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "ed.pem")).Kind);
        var ec = CertificateLoader.LoadPrivateKey(Path.Combine(dir, "ec.pem"));
        Assert.Equal(ec.PublicKey, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "ec-enc.pem"), "open sesame").PublicKey);
        Assert.Equal(KeyKind.Ed25519, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "ed-enc.der"), "open sesame").Kind);
        AssertOneLine(Assert.Throws<CertificateException>(() => CertificateLoader.LoadPrivateKey(Path.Combine(dir, "ec-enc.pem"), "open sesam")),
            "wrong passphrase");
    }

    [Fact]
    public void Keys_we_encrypt_open_in_openssl_with_the_passphrase()
    {
        string dir = OpenSsl.TempDir();
        var key = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 384);
        File.WriteAllText(Path.Combine(dir, "k.pem"), CertificateBuilder.PrivateKeyPem(key, "pw"));
        OpenSsl.MustRun(dir, "pkey", "-in", "k.pem", "-passin", "pass:pw", "-out", "plain.pem");
        Assert.Equal(key.PublicKey, CertificateLoader.LoadPrivateKey(Path.Combine(dir, "plain.pem")).PublicKey);
        Assert.NotEqual(0, OpenSsl.Run(dir, "pkey", "-in", "k.pem", "-passin", "pass:nope", "-noout").Code);
    }

    /// <summary>fuzz/crashes/cert/crash-c5ebed410a0139db: an END marker overlapping the BEGIN line threw ArgumentOutOfRangeException.</summary>
    [Fact]
    public void Pem_whose_end_marker_overlaps_the_begin_line_is_refused_with_a_reason()
    {
        Assert.False(PemBlock.TryParseAll(Encoding.ASCII.GetBytes("-----BEGIN -----END -----\n"), out _, out string error));
        Assert.Equal("PEM block '' has no '-----END -----' line", error);
        var e = Assert.Throws<CertificateException>(() => CertificateLoader.ParseCertificates(Encoding.ASCII.GetBytes("-----BEGIN -----END -----\n"), "x.pem"));
        Assert.Contains("x.pem", e.Message);
    }
}
