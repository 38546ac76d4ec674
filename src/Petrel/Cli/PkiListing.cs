using System.Text;
using Petrel.Ike.Certificates;

namespace Petrel.Cli;

/// <summary>
/// <c>petrel pki list PATH</c>: one file, or a directory in the swanctl layout (its x509ca/, x509/, x509crl/,
/// private/, rsa/, ecdsa/, pkcs8/ folders and certificate-looking files at its top). Every file is shown or
/// named with its problem; one bad file does not hide the others, but makes the exit code 2.
/// </summary>
public static class PkiListing
{
    private static readonly string[] Folders = ["x509ca", "x509", "x509crl", "private", "rsa", "ecdsa", "pkcs8"];
    private static readonly string[] Extensions = [".pem", ".der", ".crt", ".cer", ".crl", ".key"];

    private enum Kind { Unknown, Certificate, Crl, Key }

    public static int Run(string path, string? password, TextWriter stdout)
    {
        var files = new List<(string File, Kind Kind)>();
        if (Directory.Exists(path))
        {
            foreach (string f in Directory.GetFiles(path).Order(StringComparer.Ordinal))
                if (Array.IndexOf(Extensions, Path.GetExtension(f).ToLowerInvariant()) >= 0)
                    files.Add((f, Kind.Unknown));
            foreach (string folder in Folders)
            {
                string sub = Path.Combine(path, folder);
                if (!Directory.Exists(sub)) continue;
                var kind = folder switch { "x509ca" or "x509" => Kind.Certificate, "x509crl" => Kind.Crl, _ => Kind.Key };
                foreach (string f in Directory.GetFiles(sub).Order(StringComparer.Ordinal))
                    files.Add((f, kind));
            }
            if (files.Count == 0)
                throw new CliException($"{path}: no certificates, CRLs or keys (looked in {string.Join("/, ", Folders)}/ and *.pem, *.der, *.crt)", PetrelCli.UsageError);
        }
        else if (File.Exists(path))
        {
            files.Add((path, Kind.Unknown));
        }
        else
        {
            throw new CliException($"{path}: no such file or directory", PetrelCli.UsageError);
        }

        var errors = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var (file, kind) in files)
        {
            // Render into a buffer first, so a file that fails half-way prints only its error.
            var text = new StringWriter();
            try
            {
                Show(file, kind == Kind.Unknown ? Sniff(file) : kind, password, text, now);
                stdout.Write(text.ToString());
            }
            catch (CertificateException e)
            {
                errors.Add(e.Message);
            }
        }
        if (errors.Count == 1)
            throw new CliException(errors[0], PetrelCli.UsageError);
        if (errors.Count > 1)
            throw new CliException($"{errors.Count} files could not be read: {string.Join("; ", errors)}", PetrelCli.UsageError);
        return 0;
    }

    private static void Show(string file, Kind kind, string? password, TextWriter w, DateTime now)
    {
        switch (kind)
        {
            case Kind.Crl:
                var crl = CertificateLoader.LoadCrl(file);
                w.WriteLine($"{file}: X.509 CRL");
                PkiPrinter.Crl(crl, w);
                break;
            case Kind.Key:
                if (password is null && IsEncrypted(file))
                {
                    w.WriteLine($"{file}: encrypted private key (PKCS#8); --password P opens it");
                    break;
                }
                var key = CertificateLoader.LoadPrivateKey(file, password);
                w.WriteLine($"{file}: private key");
                w.WriteLine($"  privkey:   {key}{(IsEncrypted(file) ? " (encrypted)" : "")}");
                break;
            default:
                var certs = CertificateLoader.LoadCertificates(file);
                for (int i = 0; i < certs.Count; i++)
                {
                    w.WriteLine(certs.Count == 1 ? $"{file}: X.509 certificate" : $"{file}: X.509 certificate {i + 1} of {certs.Count}");
                    PkiPrinter.Certificate(certs[i], w, now);
                }
                break;
        }
    }

    /// <summary>What a file outside the layout's folders holds, from its PEM label or, for DER, from what parses.</summary>
    private static Kind Sniff(string file)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Kind.Certificate; // the loader reports the read error in its own words
        }
        if (PemBlock.LooksLikePem(data))
        {
            string text = Encoding.ASCII.GetString(data);
            if (text.Contains("-----BEGIN X509 CRL", StringComparison.Ordinal)) return Kind.Crl;
            if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) && !text.Contains("-----BEGIN CERTIFICATE", StringComparison.Ordinal)) return Kind.Key;
            return Kind.Certificate;
        }
        try
        {
            CertificateLoader.ParseCertificateDer(data, file);
            return Kind.Certificate;
        }
        catch (CertificateException)
        {
        }
        try
        {
            _ = new Org.BouncyCastle.X509.X509Crl(Org.BouncyCastle.Asn1.X509.CertificateList.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(data)));
            return Kind.Crl;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
        return Kind.Key;
    }

    private static bool IsEncrypted(string file)
    {
        try
        {
            byte[] data = File.ReadAllBytes(file);
            if (PemBlock.LooksLikePem(data))
                return Encoding.ASCII.GetString(data).Contains("-----BEGIN ENCRYPTED PRIVATE KEY", StringComparison.Ordinal);
            // DER EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
            var seq = Org.BouncyCastle.Asn1.Asn1Sequence.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(data));
            return seq.Count == 2 && seq[0] is Org.BouncyCastle.Asn1.Asn1Sequence && seq[1] is Org.BouncyCastle.Asn1.Asn1OctetString;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
