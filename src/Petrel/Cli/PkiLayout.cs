using System.Text;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;

namespace Petrel.Cli;

/// <summary>
/// Where <c>petrel pki</c> writes: the directory layout swanctl (and Petrel's daemon) loads credentials
/// from, next to swanctl.conf: <c>x509ca/</c> CA certificates, <c>x509/</c> end-entity certificates,
/// <c>x509crl/</c> CRLs, <c>private/</c> private keys (mode 0600 in a 0700 directory). Files are PEM unless
/// DER is asked for, and an existing file is only replaced with --force, so a CA key is never lost by a typo.
/// </summary>
public sealed class PkiLayout(string outDir, bool der, bool force)
{
    public const string CaDir = "x509ca";
    public const string CertDir = "x509";
    public const string CrlDir = "x509crl";
    public const string KeyDir = "private";

    public string OutDir { get; } = outDir;

    /// <summary>A file name from a CN: lower case letters, digits, '.', '-' and '_' ("Petrel Root CA" → "petrel-root-ca").</summary>
    public static string NameFrom(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        string name = sb.ToString().Trim('-', '.');
        return name.Length == 0 ? "cert" : name;
    }

    /// <summary>The CN of a DN, for naming files; the whole DN when it has none.</summary>
    public static string CommonName(Org.BouncyCastle.Asn1.X509.X509Name dn)
    {
        var cns = dn.GetValueList(Org.BouncyCastle.Asn1.X509.X509Name.CN);
        return cns.Count > 0 ? cns[^1] : dn.ToString();
    }

    public string WriteCertificate(string dir, string name, X509Certificate cert) =>
        Write(dir, name, der ? cert.GetEncoded() : Encoding.ASCII.GetBytes(CertificateBuilder.CertificatePem(cert)), secret: false);

    public string WriteKey(string name, PrivateKey key, string? password)
    {
        byte[] data = der
            ? password is null ? CertificateBuilder.PrivateKeyDer(key) : CertificateBuilder.EncryptedPrivateKeyDer(key, password)
            : Encoding.ASCII.GetBytes(CertificateBuilder.PrivateKeyPem(key, password));
        return Write(KeyDir, name, data, secret: true);
    }

    /// <summary>Checks before anything is generated that none of the files exists, so nothing is half written.</summary>
    public void EnsureFree(params (string Dir, string Name)[] files)
    {
        foreach (var (dir, name) in files)
        {
            string path = PathOf(dir, name);
            if (File.Exists(path) && !force)
                throw new CliException($"{path} exists; choose another --name or add --force to replace it", PetrelCli.UsageError);
        }
    }

    public string PathOf(string dir, string name) => Path.Combine(OutDir, dir, name + (der ? ".der" : ".pem"));

    private string Write(string dir, string name, byte[] data, bool secret)
    {
        string path = PathOf(dir, name);
        try
        {
            string folder = Path.GetDirectoryName(path)!;
            if (secret && !Directory.Exists(folder))
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            else
                Directory.CreateDirectory(folder);
            if (secret)
            {
                // Create the key file 0600 before any byte of the key is in it.
                var options = new FileStreamOptions
                {
                    Mode = FileMode.Create,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                };
                using var fs = new FileStream(path, options);
                fs.Write(data);
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            else
            {
                File.WriteAllBytes(path, data);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {path}: {e.Message}", PetrelCli.UsageError);
        }
        return path;
    }
}
