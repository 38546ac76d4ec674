using Org.BouncyCastle.X509;
using Petrel.Cli;
using Petrel.Ike.Certificates;
using Petrel.Tests.Config;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Cli;

/// <summary>
/// <c>petrel pki issue --crl-uri</c> (strongSwan's <c>pki --issue --crl</c>): the URIs become the cRLDistributionPoints
/// extension that strongSwan's pki --print and Petrel's own parser read back, <c>pki list</c> shows them, and the
/// reverse: a certificate strongSwan's pki made with --crl is read by Petrel.
/// </summary>
public sealed class PkiCrlUriTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string F(string relative) => Path.Combine(_dir.Path, relative);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Issue_writes_the_distribution_points_and_list_and_strongswan_show_them()
    {
        Assert.Equal(0, Run("pki", "ca", "--cn", "CRL Root", "--type", "ecdsa", "--out-dir", _dir.Path).Code);
        var issued = Run("pki", "issue", "--ca-cert", F("x509ca/crl-root.pem"), "--ca-key", F("private/crl-root.pem"), "--dn", "CN=client",
            "--type", "ecdsa", "--crl-uri", "http://10.9.0.1:8080/root.crl", "--crl-uri", "ldap://ldap.example.org/cn=CRL%20Root", "--out-dir", _dir.Path);
        Assert.True(issued.Code == 0, issued.Err);
        Assert.Contains("  CRL URIs http://10.9.0.1:8080/root.crl, ldap://ldap.example.org/cn=CRL%20Root", issued.Out);

        var cert = CertificateLoader.LoadCertificate(F("x509/client.pem"));
        Assert.Equal(["http://10.9.0.1:8080/root.crl", "ldap://ldap.example.org/cn=CRL%20Root"], CrlDistributionPoints.Of(cert));

        var list = Run("pki", "list", F("x509/client.pem"));
        Assert.Contains("  CRL URIs:  http://10.9.0.1:8080/root.crl\n           ldap://ldap.example.org/cn=CRL%20Root\n", list.Out.ReplaceLineEndings("\n"));

        var print = CommandRunner.Run("pki", "--print", "--in", F("x509/client.pem"));
        Assert.True(print.Succeeded, print.Describe());
        Assert.Contains("CRL URIs:  http://10.9.0.1:8080/root.crl", print.StandardOutput);
        Assert.Contains("ldap://ldap.example.org/cn=CRL%20Root", print.StandardOutput);
    }

    [Fact]
    public void A_certificate_strongswan_pki_made_with_crl_is_read()
    {
        Assert.True(CommandRunner.Run("sh", "-c",
            $"cd {_dir.Path} && pki --gen --type ecdsa --size 256 > ca.key && pki --self --ca --in ca.key --dn 'CN=swan CA' > ca.crt"
            + " && pki --gen --type ecdsa --size 256 > c.key && pki --issue --cacert ca.crt --cakey ca.key --in c.key --type priv --dn 'CN=swan client'"
            + " --crl http://192.0.2.1/a.crl --crl http://192.0.2.2/b.crl > c.crt").Succeeded);
        X509Certificate cert = CertificateLoader.LoadCertificate(F("c.crt"));
        Assert.Equal(["http://192.0.2.1/a.crl", "http://192.0.2.2/b.crl"], CrlDistributionPoints.Of(cert));
        Assert.Contains("  CRL URIs:  http://192.0.2.1/a.crl", Run("pki", "list", F("c.crt")).Out);
    }

    [Fact]
    public void A_crl_uri_that_is_no_url_is_one_line_with_exit_2()
    {
        Assert.Equal(0, Run("pki", "ca", "--cn", "CRL Root", "--type", "ecdsa", "--out-dir", _dir.Path).Code);
        var r = Run("pki", "issue", "--ca-cert", F("x509ca/crl-root.pem"), "--ca-key", F("private/crl-root.pem"), "--dn", "CN=client",
            "--type", "ecdsa", "--crl-uri", "root.crl", "--out-dir", _dir.Path);
        Assert.Equal(2, r.Code);
        Assert.Equal("petrel: --crl-uri 'root.crl' is not an http://, https:// or ldap:// URI", r.Err.Trim());
        Assert.False(File.Exists(F("x509/client.pem")));
    }
}
