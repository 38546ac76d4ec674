using Org.BouncyCastle.X509;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Ike.Certificates;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// What the daemon loads beside swanctl.conf: keys from private/ and the typed rsa/, ecdsa/, pkcs8/ folders (an
/// encrypted one with its secrets.private- passphrase), CA certificates and the CRL files authorities name; an
/// unusable file becomes an error entry naming it, not a failed start.
/// </summary>
public sealed class CredentialLoaderTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Keys_in_typed_folders_and_authority_crl_files_are_loaded()
    {
        var now = DateTime.UtcNow;
        var caKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa);
        var ca = CertificateBuilder.SelfSignedCa(caKey, "C=CH, O=Petrel, CN=Authority CA", now.AddDays(-1), now.AddDays(30));
        var rsa = CertificateBuilder.GenerateKey(KeyKind.Rsa, 2048);
        var ecdsa = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 384);
        var ed = CertificateBuilder.GenerateKey(KeyKind.Ed25519);
        var locked = CertificateBuilder.GenerateKey(KeyKind.Ecdsa);
        _dir.Write("authority/ca.pem", CertificateBuilder.CertificatePem(ca));
        _dir.Write("rsa/gw.pem", CertificateBuilder.PrivateKeyPem(rsa));
        _dir.Write("ecdsa/gw.pem", CertificateBuilder.PrivateKeyPem(ecdsa));
        _dir.Write("pkcs8/gw.pem", CertificateBuilder.PrivateKeyPem(ed));
        _dir.Write("private/locked.pem", CertificateBuilder.PrivateKeyPem(locked, "open sesame"));
        var crl = CertificateBuilder.Crl(ca, caKey, [(Org.BouncyCastle.Math.BigInteger.ValueOf(4242), now.AddHours(-1), 1)], now.AddHours(-1), now.AddDays(7));
        _dir.Write("x509crl/ca-local.crl", CertificateBuilder.CrlPem(crl));
        File.WriteAllText(Path.Combine(_dir.Path, "other.crl"), "not a CRL");
        string conf = _dir.Write("swanctl.conf", $$"""
            secrets {
              private-locked {
                file = locked.pem
                secret = "open sesame"
              }
            }
            authorities {
              lab {
                cacert = {{Path.Combine(_dir.Path, "authority/ca.pem")}}
                crl_uris = ca-local.crl, http://crl.example.org/lab.crl, file://{{Path.Combine(_dir.Path, "other.crl")}}
              }
            }
            """);

        var store = CredentialLoader.Load(SwanctlLoader.Load(conf));

        Assert.Equal(4, store.Keys.Count);
        Assert.Contains(store.Keys, k => k.Kind == KeyKind.Rsa && k.Bits == 2048);
        Assert.Contains(store.Keys, k => k.Kind == KeyKind.Ecdsa && k.Bits == 384);
        Assert.Contains(store.Keys, k => k.Kind == KeyKind.Ed25519);
        Assert.Contains(store.Keys, k => k.PublicKey.Equals(locked.PublicKey));
        Assert.Contains(ca, store.TrustAnchors);
        var loaded = Assert.Single(store.Crls);
        Assert.NotNull(loaded.GetRevokedCertificate(Org.BouncyCastle.Math.BigInteger.ValueOf(4242)));
        // The unreadable CRL is named in one error line; the http URI is not a file and is not read.
        var error = Assert.Single(store.Errors);
        Assert.StartsWith("authorities.lab.crl_uris (", error);
        Assert.Contains("other.crl", error);
        Assert.DoesNotContain("crl.example.org", error);
        // It is a distribution point of the authority's CA, fetched when a peer's certificate needs it.
        Assert.Equal(["http://crl.example.org/lab.crl"], store.CrlUrisOf(ca));
    }
}
