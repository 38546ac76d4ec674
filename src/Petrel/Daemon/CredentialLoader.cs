using System.Text;
using Petrel.Config;
using Petrel.Ike.Certificates;

namespace Petrel.Daemon;

/// <summary>
/// The certificates, keys and CRLs a configuration uses: the x509/, x509ca/, x509crl/ and private/ folders
/// beside the config file (as swanctl --load-creds reads them), encrypted keys opened with the passphrases of
/// secrets.private-/rsa-/ecdsa-/pkcs8- sections (keys also from the rsa/, ecdsa/ and pkcs8/ folders), the CA
/// certificates named by authorities.NAME.cacert and the CRL files named by authorities.NAME.crl_uris.
/// Unusable files do not stop the daemon: they are listed in <see cref="CertificateStore.Errors"/> and logged.
/// </summary>
public static class CredentialLoader
{
    private static readonly string[] PassphraseKinds = ["private", "rsa", "ecdsa", "pkcs8"];

    public static CertificateStore Load(SwanctlConfig config)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(config.Path)) ?? ".";
        var passphrases = new List<string>();
        foreach (var s in config.Secrets)
            if (Array.IndexOf(PassphraseKinds, s.Kind) >= 0)
                passphrases.Add(Encoding.UTF8.GetString(s.Secret));
        var store = CertificateStore.Load(directory, passphrases);
        foreach (var authority in config.Authorities)
        {
            IReadOnlyList<Org.BouncyCastle.X509.X509Certificate>? cas = null;
            if (authority.Settings.TryGetValue("cacert", out var file) && file.Length > 0)
            {
                cas = store.FromFile(file, out string error, asCa: true);
                if (cas is null) store.AddError($"authorities.{authority.Name}.cacert ({authority.Source}): {error}");
            }
            // crl_uris naming local files (file:// or paths, as the loader resolved them) are read now; http(s)
            // and ldap URIs are distribution points of the CA's CRLs, fetched when a peer's certificate needs them.
            foreach (var uri in authority.CrlUris)
            {
                if (!Path.IsPathRooted(uri))
                {
                    foreach (var ca in cas ?? [])
                        store.AddCrlUri(ca, uri);
                    continue;
                }
                try
                {
                    var crl = CertificateLoader.LoadCrl(uri);
                    if (!store.Crls.Contains(crl)) store.AddCrl(crl); // x509crl/ files are loaded already
                }
                catch (CertificateException e)
                {
                    store.AddError($"authorities.{authority.Name}.crl_uris ({authority.Source}): {e.Message}");
                }
            }
        }
        return store;
    }
}
