using Petrel.Cli;
using Petrel.Ike.Certificates;
using Petrel.Tests.Config;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Cli;

/// <summary>
/// <c>petrel pki</c> in-process: what it writes is the swanctl layout, openssl and strongSwan's pki accept the
/// chains it issues, its verify accepts what those tools make, and every unusable input is one line with exit 2.
/// </summary>
public sealed class PkiCommandTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Site => Path.Combine(_dir.Path, "site");
    private string F(string relative) => Path.Combine(Site, relative);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Ok(params string[] args)
    {
        var (code, output, err) = Run(args);
        Assert.True(code == 0, $"petrel {string.Join(' ', args)} exited {code}: {err}");
        return output;
    }

    private static void AssertOneLineError((int Code, string Out, string Err) r, int expectedCode, string expectedFragment)
    {
        Assert.Equal(expectedCode, r.Code);
        var lines = r.Err.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("petrel: ", lines[0]);
        Assert.Contains(expectedFragment, lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
    }

    /// <summary>Root CA (ECDSA P-256), intermediate (P-384) and an RSA gateway certificate with SANs.</summary>
    private void MakeChain(string? gatewayPassword = null)
    {
        Ok("pki", "ca", "--cn", "Petrel Root CA", "--dn", "C=CH, O=Petrel", "--type", "ecdsa", "--out-dir", Site);
        Ok("pki", "intermediate", "--ca-cert", F("x509ca/petrel-root-ca.pem"), "--ca-key", F("private/petrel-root-ca.pem"),
            "--dn", "C=CH, O=Petrel, CN=Petrel Intermediate", "--type", "ecdsa", "--size", "384", "--name", "int", "--out-dir", Site);
        string[] issue = ["pki", "issue", "--ca-cert", F("x509ca/int.pem"), "--ca-key", F("private/int.pem"),
            "--dn", "C=CH, O=Petrel, CN=gw.example.org", "--san", "gw.example.org", "--san", "198.18.0.1", "--san", "vpn@example.org",
            "--type", "rsa", "--size", "2048", "--ike-eku", "--out-dir", Site];
        Ok(gatewayPassword is null ? issue : [.. issue, "--password", gatewayPassword]);
    }

    [Fact]
    public void Issued_chain_is_in_the_swanctl_layout_and_openssl_and_strongswan_pki_accept_it()
    {
        MakeChain();
        Assert.True(File.Exists(F("x509ca/petrel-root-ca.pem")));
        Assert.True(File.Exists(F("x509ca/int.pem")));
        Assert.True(File.Exists(F("x509/gw.example.org.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(F("private/gw.example.org.pem")));

        var openssl = CommandRunner.Run("openssl", "verify", "-CAfile", F("x509ca/petrel-root-ca.pem"), "-untrusted", F("x509ca/int.pem"), F("x509/gw.example.org.pem"));
        Assert.True(openssl.Succeeded, openssl.Describe());
        Assert.Contains("gw.example.org.pem: OK", openssl.StandardOutput);

        var swan = CommandRunner.Run("pki", "--verify", "--in", F("x509/gw.example.org.pem"), "--cacert", F("x509ca/petrel-root-ca.pem"), "--cacert", F("x509ca/int.pem"));
        Assert.True(swan.Succeeded, swan.Describe());
        Assert.Contains("certificate trusted, lifetimes valid", swan.StandardOutput);

        // strongSwan reads the SANs and the IKE EKU as Petrel wrote them.
        var print = CommandRunner.Run("pki", "--print", "--in", F("x509/gw.example.org.pem"));
        Assert.True(print.Succeeded, print.Describe());
        Assert.Contains("altNames:  gw.example.org, 198.18.0.1, vpn@example.org", print.StandardOutput);
        Assert.Contains("ikeIntermediate", print.StandardOutput);
        Assert.Contains("C=CH, O=Petrel, CN=gw.example.org", print.StandardOutput);

        string verify = Ok("pki", "verify", "--cert", F("x509/gw.example.org.pem"), "--ca", F("x509ca/petrel-root-ca.pem"), "--ca", F("x509ca/int.pem"), "--id", "198.18.0.1");
        Assert.Contains("\"C=CH, O=Petrel, CN=gw.example.org\" <- \"C=CH, O=Petrel, CN=Petrel Intermediate\" <- \"C=CH, O=Petrel, CN=Petrel Root CA\" (trusted)", verify);
    }

    [Fact]
    public void List_shows_subject_issuer_serial_validity_sans_key_and_usages()
    {
        MakeChain();
        string list = Ok("pki", "list", Site);
        Assert.Contains("subject:   \"C=CH, O=Petrel, CN=gw.example.org\"", list);
        Assert.Contains("issuer:    \"C=CH, O=Petrel, CN=Petrel Intermediate\"", list);
        Assert.Contains("altNames:  gw.example.org, 198.18.0.1, vpn@example.org", list);
        Assert.Contains("flags:     digitalSignature keyEncipherment serverAuth clientAuth ikeIntermediate", list);
        Assert.Contains("flags:     CA self-signed keyCertSign CRLSign", list);
        Assert.Contains("pubkey:    RSA 2048 bits", list);
        Assert.Contains("pubkey:    ECDSA 384 bits", list);
        Assert.Contains("privkey:   ECDSA 256 bits", list);
        Assert.Matches(@"validity:  not before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, not after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(ok\)", list);
        // The serial printed is the certificate's.
        var gw = CertificateLoader.LoadCertificate(F("x509/gw.example.org.pem"));
        Assert.Contains("serial:    " + PkiPrinter.Serial(gw.SerialNumber), list);
        // Without --ike-eku a certificate has serverAuth and clientAuth only.
        Ok("pki", "issue", "--ca-cert", F("x509ca/int.pem"), "--ca-key", F("private/int.pem"), "--dn", "CN=plain", "--type", "ed25519", "--out-dir", Site);
        string plain = Ok("pki", "list", F("x509/plain.pem"));
        Assert.Contains("flags:     digitalSignature serverAuth clientAuth\n", plain.ReplaceLineEndings("\n"));
        Assert.Contains("pubkey:    ED25519 256 bits", plain);
    }

    [Fact]
    public void Encrypted_key_opens_with_its_password_in_openssl_and_petrel_and_a_wrong_one_is_exit_2()
    {
        MakeChain(gatewayPassword: "s3cret pass");
        string key = F("private/gw.example.org.pem");
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", File.ReadAllText(key));
        var openssl = CommandRunner.Run("openssl", "pkey", "-in", key, "-passin", "pass:s3cret pass", "-noout");
        Assert.True(openssl.Succeeded, openssl.Describe());
        Assert.Contains("encrypted private key (PKCS#8); --password P opens it", Ok("pki", "list", key));
        Assert.Contains("privkey:   RSA 2048 bits (encrypted)", Ok("pki", "list", key, "--password", "s3cret pass"));

        AssertOneLineError(Run("pki", "list", key, "--password", "wrong"), 2, "wrong passphrase");
        // An encrypted CA key: issuing with the wrong --ca-password fails before anything is written.
        Ok("pki", "ca", "--cn", "Locked CA", "--type", "ecdsa", "--password", "ca-pass", "--out-dir", Site);
        var wrong = Run("pki", "issue", "--ca-cert", F("x509ca/locked-ca.pem"), "--ca-key", F("private/locked-ca.pem"), "--ca-password", "nope",
            "--dn", "CN=x", "--type", "ecdsa", "--out-dir", Site);
        AssertOneLineError(wrong, 2, "wrong passphrase");
        Assert.False(File.Exists(F("x509/x.pem")));
        var missing = Run("pki", "issue", "--ca-cert", F("x509ca/locked-ca.pem"), "--ca-key", F("private/locked-ca.pem"), "--dn", "CN=x", "--type", "ecdsa", "--out-dir", Site);
        AssertOneLineError(missing, 2, "encrypted and no passphrase");
        Ok("pki", "issue", "--ca-cert", F("x509ca/locked-ca.pem"), "--ca-key", F("private/locked-ca.pem"), "--ca-password", "ca-pass", "--dn", "CN=x", "--type", "ecdsa", "--out-dir", Site);
    }

    [Fact]
    public void Unusable_inputs_are_one_line_errors_with_exit_2()
    {
        MakeChain();
        string garbage = _dir.Write("garbage.pem", "this is not PEM at all\n");
        string brokenPem = _dir.Write("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n");
        File.WriteAllBytes(Path.Combine(_dir.Path, "junk.der"), [0x30, 0x82, 0x10, 0x00, 0x01, 0x02]);
        string ca = F("x509ca/petrel-root-ca.pem"), caKey = F("private/petrel-root-ca.pem");

        AssertOneLineError(Run("pki", "list", garbage), 2, garbage);
        AssertOneLineError(Run("pki", "list", brokenPem), 2, "malformed PEM");
        AssertOneLineError(Run("pki", "list", Path.Combine(_dir.Path, "junk.der")), 2, "junk.der");
        AssertOneLineError(Run("pki", "list", Path.Combine(_dir.Path, "nothing-here")), 2, "no such file or directory");
        AssertOneLineError(Run("pki", "verify", "--cert", Path.Combine(_dir.Path, "missing.pem"), "--ca", ca), 2, "cannot read certificate file: no such file");
        AssertOneLineError(Run("pki", "verify", "--cert", garbage, "--ca", ca), 2, "not a valid X.509 certificate");
        // Mismatched certificate and key: the intermediate's key with the root's certificate.
        AssertOneLineError(Run("pki", "issue", "--ca-cert", ca, "--ca-key", F("private/int.pem"), "--dn", "CN=y", "--type", "ecdsa", "--out-dir", Site),
            2, "does not belong to the certificate");
        // An end-entity certificate cannot issue.
        var ee = Run("pki", "issue", "--ca-cert", F("x509/gw.example.org.pem"), "--ca-key", F("private/gw.example.org.pem"), "--dn", "CN=y", "--type", "ecdsa", "--out-dir", Site);
        AssertOneLineError(ee, 2, "is not a CA certificate");
        // Bad DN syntax, bad SAN, bad times.
        AssertOneLineError(Run("pki", "issue", "--ca-cert", ca, "--ca-key", caKey, "--dn", "CN=ok, nonsense", "--type", "ecdsa", "--out-dir", Site), 2, "is not a distinguished name");
        AssertOneLineError(Run("pki", "ca", "--dn", "XYZ=1", "--type", "ecdsa", "--out-dir", Site), 2, "is not a distinguished name");
        AssertOneLineError(Run("pki", "issue", "--ca-cert", ca, "--ca-key", caKey, "--dn", "CN=z", "--san", "has space", "--type", "ecdsa", "--out-dir", Site), 2, "subjectAltName 'has space'");
        AssertOneLineError(Run("pki", "ca", "--cn", "T", "--not-before", "yesterday", "--type", "ecdsa", "--out-dir", Site), 2, "--not-before 'yesterday' is not a time");
        AssertOneLineError(Run("pki", "ca", "--cn", "Petrel Root CA", "--type", "ecdsa", "--out-dir", Site), 2, "exists; choose another --name or add --force");
        Assert.Contains("Petrel Root CA", Ok("pki", "list", ca)); // the CA was not replaced by the refused command
        // An expired CA does not issue.
        Ok("pki", "ca", "--cn", "Old CA", "--type", "ecdsa", "--not-before", "2020-01-01", "--not-after", "2021-01-01", "--out-dir", Site);
        AssertOneLineError(Run("pki", "issue", "--ca-cert", F("x509ca/old-ca.pem"), "--ca-key", F("private/old-ca.pem"), "--dn", "CN=w", "--type", "ecdsa", "--out-dir", Site),
            2, "expired on 2021-01-01 00:00:00 UTC");
        // A directory with one bad file still lists the others, then fails.
        File.WriteAllText(F("x509/zz-bad.pem"), "garbage");
        var partial = Run("pki", "list", Site);
        Assert.Equal(2, partial.Code);
        Assert.Contains("CN=gw.example.org", partial.Out);
        AssertOneLineError(partial, 2, "zz-bad.pem");
    }

    [Fact]
    public void Verify_exits_1_with_the_reason_for_expired_revoked_wrong_ca_and_identity_mismatch()
    {
        MakeChain();
        string root = F("x509ca/petrel-root-ca.pem"), inter = F("x509ca/int.pem");
        Ok("pki", "issue", "--ca-cert", inter, "--ca-key", F("private/int.pem"), "--dn", "C=CH, O=Petrel, CN=old", "--type", "ecdsa",
            "--not-before", "2020-01-01T00:00:00", "--not-after", "2020-06-01T12:00:00", "--out-dir", Site);
        AssertOneLineError(Run("pki", "verify", "--cert", F("x509/old.pem"), "--ca", root, "--ca", inter), 1, "certificate 'C=CH,O=Petrel,CN=old' expired on 2020-06-01 12:00:00 UTC");

        string crlPath = F("x509crl/int.crl.pem");
        string crlOut = Ok("pki", "crl", "--ca-cert", inter, "--ca-key", F("private/int.pem"), "--revoke", F("x509/gw.example.org.pem"), "--out", crlPath);
        Assert.Contains("revoking 1 certificate(s)", crlOut);
        var revoked = Run("pki", "verify", "--cert", F("x509/gw.example.org.pem"), "--ca", root, "--ca", inter, "--crl", crlPath);
        AssertOneLineError(revoked, 1, "was revoked on");
        Assert.Contains("reason key compromise", revoked.Err);
        var gw = CertificateLoader.LoadCertificate(F("x509/gw.example.org.pem"));
        Assert.Contains(PkiPrinter.Serial(gw.SerialNumber), Ok("pki", "list", crlPath));
        // openssl agrees that the CRL revokes it.
        var openssl = CommandRunner.Run("openssl", "verify", "-crl_check", "-CAfile", root, "-untrusted", inter, "-CRLfile", crlPath, F("x509/gw.example.org.pem"));
        Assert.False(openssl.Succeeded);
        Assert.Contains("certificate revoked", openssl.StandardOutput + openssl.StandardError);

        Ok("pki", "ca", "--cn", "Other CA", "--type", "ecdsa", "--out-dir", Site);
        AssertOneLineError(Run("pki", "verify", "--cert", F("x509/gw.example.org.pem"), "--ca", F("x509ca/other-ca.pem")), 1, "no trusted chain");

        var mismatch = Run("pki", "verify", "--cert", F("x509/gw.example.org.pem"), "--ca", root, "--ca", inter, "--id", "C=CH, O=Petrel, CN=other.example.org");
        AssertOneLineError(mismatch, 1, "does not match the certificate's subject");
        Ok("pki", "verify", "--cert", F("x509/gw.example.org.pem"), "--ca", root, "--ca", inter, "--id", "C=CH, O=*, CN=gw.example.org");
    }

    [Fact]
    public void Verify_accepts_certificates_made_by_strongswan_pki_and_openssl()
    {
        string d = Path.Combine(_dir.Path, "foreign");
        Directory.CreateDirectory(d);
        string P(string f) => Path.Combine(d, f);
        void Sh(string script)
        {
            var r = CommandRunner.Run("/bin/sh", "-c", script);
            Assert.True(r.Succeeded, r.Describe());
        }

        // strongSwan pki: ECDSA CA and an RSA end entity, DER as pki writes by default.
        Sh($"cd {d} && pki --gen --type ecdsa --size 256 > swca.key && pki --self --ca --in swca.key --type ecdsa --dn 'C=CH, O=strongSwan, CN=swan CA' > swca.der"
            + " && pki --gen --type rsa --size 2048 > moon.key"
            + " && pki --pub --in moon.key --type rsa | pki --issue --cacert swca.der --cakey swca.key --type pub --dn 'C=CH, O=strongSwan, CN=moon' --san moon.strongswan.org --flag serverAuth > moon.der");
        string swan = Ok("pki", "verify", "--cert", P("moon.der"), "--ca", P("swca.der"), "--id", "moon.strongswan.org");
        Assert.Contains("\"C=CH, O=strongSwan, CN=moon\" <- \"C=CH, O=strongSwan, CN=swan CA\" (trusted)", swan);
        Assert.Contains("pubkey:    RSA 2048 bits", Ok("pki", "list", P("moon.der")));
        Assert.Contains("privkey:   RSA 2048 bits", Ok("pki", "list", P("moon.key"))); // PKCS#1 DER

        // openssl: an RSA CA and an EC end entity in PEM, with an EC key in SEC1 form.
        Sh($"cd {d} && openssl req -x509 -newkey rsa:2048 -nodes -keyout osca.key -out osca.pem -days 30 -subj '/C=CH/O=OpenSSL/CN=os CA'"
            + " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null"
            + " && openssl ecparam -name prime256v1 -genkey -noout -out sun.key"
            + " && openssl req -new -key sun.key -out sun.csr -subj '/C=CH/O=OpenSSL/CN=sun'"
            + " && printf 'subjectAltName=DNS:sun.example.org,IP:10.9.8.7\\nextendedKeyUsage=serverAuth,clientAuth\\n' > ext.cnf"
            + " && openssl x509 -req -in sun.csr -CA osca.pem -CAkey osca.key -CAcreateserial -days 30 -extfile ext.cnf -out sun.pem 2>/dev/null");
        string os = Ok("pki", "verify", "--cert", P("sun.pem"), "--ca", P("osca.pem"), "--id", "10.9.8.7");
        Assert.Contains("\"C=CH, O=OpenSSL, CN=sun\" <- \"C=CH, O=OpenSSL, CN=os CA\" (trusted)", os);
        Assert.Contains("altNames:  sun.example.org, 10.9.8.7", Ok("pki", "list", P("sun.pem")));
        Assert.Contains("privkey:   ECDSA 256 bits", Ok("pki", "list", P("sun.key")));
        // And across tools: strongSwan's CA does not vouch for openssl's certificate.
        AssertOneLineError(Run("pki", "verify", "--cert", P("sun.pem"), "--ca", P("swca.der")), 1, "no trusted chain");
    }

    [Fact]
    public void Der_output_is_listed_and_verified()
    {
        Ok("pki", "ca", "--cn", "Der CA", "--type", "ecdsa", "--der", "--out-dir", Site);
        Ok("pki", "issue", "--ca-cert", F("x509ca/der-ca.der"), "--ca-key", F("private/der-ca.der"), "--dn", "CN=carol", "--san", "carol@example.org",
            "--type", "ecdsa", "--der", "--password", "pw", "--out-dir", Site);
        Assert.Equal(0x30, File.ReadAllBytes(F("x509/carol.der"))[0]);
        Assert.Contains("altNames:  carol@example.org", Ok("pki", "list", Site));
        Assert.Contains("privkey:   ECDSA 256 bits (encrypted)", Ok("pki", "list", F("private/carol.der"), "--password", "pw"));
        Ok("pki", "verify", "--cert", F("x509/carol.der"), "--ca", F("x509ca/der-ca.der"), "--id", "carol@example.org");
        // openssl reads the DER certificate and the encrypted DER PKCS#8 key with its password.
        var cert = CommandRunner.Run("openssl", "x509", "-inform", "DER", "-in", F("x509/carol.der"), "-noout", "-subject");
        Assert.True(cert.Succeeded, cert.Describe());
        Assert.Contains("CN = carol", cert.StandardOutput);
        var key = CommandRunner.Run("openssl", "pkey", "-inform", "DER", "-in", F("private/carol.der"), "-passin", "pass:pw", "-noout");
        Assert.True(key.Succeeded, key.Describe());
    }
}
