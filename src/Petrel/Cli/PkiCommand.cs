using System.CommandLine;
using System.Globalization;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Cli;

/// <summary>
/// <c>petrel pki</c>: a small CA for a site, writing into the directory layout swanctl.conf's credentials
/// are loaded from (see <see cref="PkiLayout"/>): <c>ca</c>, <c>intermediate</c>, <c>issue</c>, <c>crl</c>,
/// <c>list</c> and <c>verify</c>. Unusable input (unreadable or garbage files, a wrong password, a CA key that
/// is not the CA certificate's, an expired CA, a malformed DN) is one "petrel: …" line with exit code 2;
/// <c>verify</c> exits 1 with the reason when the chain does not hold.
/// </summary>
public static class PkiCommand
{
    private const int CaDays = 3650;
    private const int CertDays = 1095; // strongSwan pki's default lifetime
    private const int CrlDays = 15;    // strongSwan pki --signcrl's default nextUpdate

    public static Command Create(TextWriter stdout)
    {
        var pki = new Command("pki", "make keys, CAs, certificates and CRLs in the swanctl layout (x509ca/, x509/, x509crl/, private/); list and verify them");
        pki.Subcommands.Add(CaCommand(stdout));
        pki.Subcommands.Add(IssueCommand(stdout, intermediate: false));
        pki.Subcommands.Add(IssueCommand(stdout, intermediate: true));
        pki.Subcommands.Add(CrlCommand(stdout));
        pki.Subcommands.Add(ListCommand(stdout));
        pki.Subcommands.Add(VerifyCommand(stdout));
        return pki;
    }

    // ---- options shared by the commands that make keys and certificates ----

    private sealed class KeyOptions
    {
        public Option<string> Type { get; } = new("--type") { Description = "key type: rsa, ecdsa or ed25519 (default rsa)", DefaultValueFactory = _ => "rsa" };
        public Option<int> Size { get; } = new("--size") { Description = "RSA bits (default 3072) or ECDSA curve bits 256, 384, 521 (default 256)", HelpName = "BITS" };
        public Option<int?> Days { get; } = new("--days") { Description = "lifetime in days from now", HelpName = "N" };
        public Option<string?> NotBefore { get; } = new("--not-before") { Description = "start of validity (ISO 8601 UTC, e.g. 2026-01-01T00:00:00)", HelpName = "TIME" };
        public Option<string?> NotAfter { get; } = new("--not-after") { Description = "end of validity (ISO 8601 UTC); overrides --days", HelpName = "TIME" };
        public Option<string?> Password { get; } = new("--password") { Description = "encrypt the new private key (PKCS#8, PBES2 AES-256) with this passphrase", HelpName = "P" };
        public Option<string?> Name { get; } = new("--name") { Description = "file name without extension (default: from the CN)", HelpName = "NAME" };
        public Option<bool> Der { get; } = new("--der") { Description = "write DER (.der) instead of PEM (.pem)" };
        public Option<bool> Force { get; } = new("--force") { Description = "replace existing files" };
        public Option<string> OutDir { get; } = new("--out-dir") { Description = "directory to write into (the one holding swanctl.conf)", HelpName = "DIR", Required = true };

        public void AddTo(Command c)
        {
            c.Options.Add(Type);
            Type.AcceptOnlyFromAmong("rsa", "ecdsa", "ed25519");
            c.Options.Add(Size);
            c.Options.Add(Days);
            c.Options.Add(NotBefore);
            c.Options.Add(NotAfter);
            c.Options.Add(Password);
            c.Options.Add(Name);
            c.Options.Add(Der);
            c.Options.Add(Force);
            c.Options.Add(OutDir);
        }

        public PrivateKey NewKey(ParseResult r) => CertificateBuilder.GenerateKey(
            r.GetValue(Type) switch { "ecdsa" => KeyKind.Ecdsa, "ed25519" => KeyKind.Ed25519, _ => KeyKind.Rsa }, r.GetValue(Size));

        public (DateTime NotBefore, DateTime NotAfter) Validity(ParseResult r, int defaultDays)
        {
            var now = DateTime.UtcNow;
            now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            DateTime from = r.GetValue(NotBefore) is { } nb ? ParseTime(nb, "--not-before") : now;
            int days = r.GetValue(Days) ?? defaultDays;
            if (days <= 0 || days > 36500)
                throw new CliException($"--days {days} is not between 1 and 36500", PetrelCli.UsageError);
            DateTime to = r.GetValue(NotAfter) is { } na ? ParseTime(na, "--not-after") : from.AddDays(days);
            if (to <= from)
                throw new CliException($"--not-after {Time(to)} is not after --not-before {Time(from)}", PetrelCli.UsageError);
            return (from, to);
        }

        public PkiLayout Layout(ParseResult r) => new(r.GetValue(OutDir)!, r.GetValue(Der), r.GetValue(Force));
    }

    private static DateTime ParseTime(string text, string option) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new CliException($"{option} '{text}' is not a time like 2026-01-01T00:00:00", PetrelCli.UsageError);

    private static string Time(DateTime t) => PkiPrinter.Time(t);

    /// <summary>Runs an action; a certificate, key or file problem becomes the one-line usage error (exit 2).</summary>
    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CertificateException e)
        {
            throw new CliException(e.Message, PetrelCli.UsageError);
        }
    }

    // ---- ca ----

    private static Command CaCommand(TextWriter stdout)
    {
        var cn = new Option<string?>("--cn") { Description = "the CA's common name (the DN is CN=… unless --dn is given)", HelpName = "CN" };
        var dn = new Option<string?>("--dn") { Description = "the CA's distinguished name, e.g. \"C=CH, O=Petrel, CN=Petrel Root CA\"", HelpName = "DN" };
        var keys = new KeyOptions();
        var cmd = new Command("ca", "create a self-signed CA: x509ca/NAME.pem and private/NAME.pem") { cn, dn };
        keys.AddTo(cmd);
        cmd.SetAction(r => Guard(() =>
        {
            string subject = SubjectDn(r.GetValue(dn), r.GetValue(cn));
            var name = CertificateBuilder.ParseDn(subject);
            var (from, to) = keys.Validity(r, CaDays);
            var layout = keys.Layout(r);
            string file = r.GetValue(keys.Name) ?? PkiLayout.NameFrom(PkiLayout.CommonName(name));
            layout.EnsureFree((PkiLayout.CaDir, file), (PkiLayout.KeyDir, file));
            var key = keys.NewKey(r);
            var cert = CertificateBuilder.SelfSignedCa(key, subject, from, to);
            string certPath = layout.WriteCertificate(PkiLayout.CaDir, file, cert);
            string keyPath = layout.WriteKey(file, key, r.GetValue(keys.Password));
            stdout.WriteLine($"CA \"{PkiPrinter.Dn(cert.SubjectDN)}\" ({key}, serial {PkiPrinter.Serial(cert.SerialNumber)}, valid until {Time(cert.NotAfter)})");
            stdout.WriteLine($"  certificate {certPath}");
            stdout.WriteLine($"  private key {keyPath}{(r.GetValue(keys.Password) is null ? "" : " (encrypted)")}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The DN from --dn, or CN=… from --cn; with both, the CN is appended when the DN has none.</summary>
    private static string SubjectDn(string? dn, string? cn)
    {
        if (dn is null && cn is null)
            throw new CliException("give the CA's name with --cn NAME or --dn \"C=…, O=…, CN=…\"", PetrelCli.UsageError);
        string escapedCn = cn is null ? "" : "CN=" + EscapeDnValue(cn);
        if (dn is null) return escapedCn;
        if (cn is null || CertificateBuilder.ParseDn(dn).GetValueList(X509Name.CN).Count > 0) return dn;
        return dn + ", " + escapedCn;
    }

    // RFC 4514 §2.4: ',', '+', '"', '\', '<', '>', ';' and '=' inside a value are escaped with '\'.
    private static string EscapeDnValue(string value)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in value.Trim())
        {
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' or '=') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    // ---- issue / intermediate ----

    private static Command IssueCommand(TextWriter stdout, bool intermediate)
    {
        var caCert = new Option<string>("--ca-cert") { Description = "the issuing CA's certificate", HelpName = "FILE", Required = true };
        var caKey = new Option<string>("--ca-key") { Description = "the issuing CA's private key", HelpName = "FILE", Required = true };
        var caPassword = new Option<string?>("--ca-password") { Description = "passphrase of an encrypted CA key", HelpName = "P" };
        var dn = new Option<string>("--dn") { Description = "subject DN, e.g. \"C=CH, O=Petrel, CN=gw.example.org\"", HelpName = "DN", Required = true };
        var san = new Option<string[]>("--san")
        {
            Description = "subjectAltName (repeatable): a DNS name, e-mail address or IP address; dns:, email:, ip: force the type",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = false,
        };
        var ikeEku = new Option<bool>("--ike-eku") { Description = "add the IKE intermediate extended key usage (1.3.6.1.5.5.8.2.2) that Windows and macOS clients want" };
        // strongSwan's pki --issue --crl: where peers fetch the issuer's CRL (cRLDistributionPoints, RFC 5280 §4.2.1.13).
        var crlUri = new Option<string[]>("--crl-uri")
        {
            Description = "CRL distribution point (repeatable): an http://, https:// or ldap:// URI where the issuer's CRL is published",
            HelpName = "URI",
            AllowMultipleArgumentsPerToken = false,
        };
        var keys = new KeyOptions();
        var cmd = intermediate
            ? new Command("intermediate", "issue an intermediate CA certificate: x509ca/NAME.pem and private/NAME.pem") { caCert, caKey, caPassword, dn, crlUri }
            : new Command("issue", "issue a gateway or client certificate (serverAuth, clientAuth): x509/NAME.pem and private/NAME.pem") { caCert, caKey, caPassword, dn, san, ikeEku, crlUri };
        keys.AddTo(cmd);
        cmd.SetAction(r => Guard(() =>
        {
            var (issuer, issuerKey) = LoadCa(r.GetValue(caCert)!, r.GetValue(caKey)!, r.GetValue(caPassword));
            string subject = r.GetValue(dn)!;
            var name = CertificateBuilder.ParseDn(subject);
            string[] sans = intermediate ? [] : r.GetValue(san) ?? [];
            foreach (var s in sans) CertificateBuilder.ParseSan(s); // a bad SAN fails before a key is made
            string[] crlUris = r.GetValue(crlUri) ?? [];
            foreach (var u in crlUris)
                if (!Uri.TryCreate(u, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https" or "ldap"))
                    throw new CliException($"--crl-uri '{u}' is not an http://, https:// or ldap:// URI", PetrelCli.UsageError);
            var (from, to) = keys.Validity(r, CertDays);
            var layout = keys.Layout(r);
            string dir = intermediate ? PkiLayout.CaDir : PkiLayout.CertDir;
            string file = r.GetValue(keys.Name) ?? PkiLayout.NameFrom(PkiLayout.CommonName(name));
            layout.EnsureFree((dir, file), (PkiLayout.KeyDir, file));
            var key = keys.NewKey(r);
            var cert = CertificateBuilder.Issue(key.PublicKey, subject, sans, issuer, issuerKey, from, to,
                isCa: intermediate, ikeIntermediate: !intermediate && r.GetValue(ikeEku), crlUris: crlUris);
            string certPath = layout.WriteCertificate(dir, file, cert);
            string keyPath = layout.WriteKey(file, key, r.GetValue(keys.Password));
            stdout.WriteLine($"{(intermediate ? "intermediate CA" : "certificate")} \"{PkiPrinter.Dn(cert.SubjectDN)}\" ({key}, serial {PkiPrinter.Serial(cert.SerialNumber)}, valid until {Time(cert.NotAfter)}) issued by \"{PkiPrinter.Dn(issuer.SubjectDN)}\"");
            if (sans.Length > 0)
                stdout.WriteLine($"  altNames {string.Join(", ", CertificateIdentity.SubjectAltNames(cert))}");
            if (crlUris.Length > 0)
                stdout.WriteLine($"  CRL URIs {string.Join(", ", crlUris)}");
            stdout.WriteLine($"  certificate {certPath}");
            stdout.WriteLine($"  private key {keyPath}{(r.GetValue(keys.Password) is null ? "" : " (encrypted)")}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>A CA certificate and its key, checked to belong together, to be a CA and to be valid now.</summary>
    private static (X509Certificate Cert, PrivateKey Key) LoadCa(string certFile, string keyFile, string? password)
    {
        var cert = CertificateLoader.LoadCertificate(certFile);
        var key = CertificateLoader.LoadPrivateKey(keyFile, password);
        if (!key.PublicKey.Equals(cert.GetPublicKey()))
            throw new CliException($"{keyFile}: this private key does not belong to the certificate {certFile} (\"{PkiPrinter.Dn(cert.SubjectDN)}\")", PetrelCli.UsageError);
        if (cert.GetBasicConstraints() < 0)
            throw new CliException($"{certFile}: \"{PkiPrinter.Dn(cert.SubjectDN)}\" is not a CA certificate (no basicConstraints cA)", PetrelCli.UsageError);
        var now = DateTime.UtcNow;
        if (now > cert.NotAfter)
            throw new CliException($"{certFile}: CA certificate \"{PkiPrinter.Dn(cert.SubjectDN)}\" expired on {Time(cert.NotAfter)}", PetrelCli.UsageError);
        if (now < cert.NotBefore)
            throw new CliException($"{certFile}: CA certificate \"{PkiPrinter.Dn(cert.SubjectDN)}\" is not valid before {Time(cert.NotBefore)}", PetrelCli.UsageError);
        return (cert, key);
    }

    // ---- crl ----

    private static readonly string[] Reasons =
        ["unspecified", "key-compromise", "ca-compromise", "affiliation-changed", "superseded", "cessation-of-operation", "certificate-hold"];

    private static Command CrlCommand(TextWriter stdout)
    {
        var caCert = new Option<string>("--ca-cert") { Description = "the CA's certificate", HelpName = "FILE", Required = true };
        var caKey = new Option<string>("--ca-key") { Description = "the CA's private key", HelpName = "FILE", Required = true };
        var caPassword = new Option<string?>("--ca-password") { Description = "passphrase of an encrypted CA key", HelpName = "P" };
        var revoke = new Option<string[]>("--revoke") { Description = "certificate file to revoke (repeatable, or several after one --revoke)", HelpName = "CERT", AllowMultipleArgumentsPerToken = true };
        var serial = new Option<string[]>("--serial") { Description = "serial number to revoke, hex (repeatable)", HelpName = "HEX" };
        var reason = new Option<string>("--reason") { Description = "CRLReason of the entries", DefaultValueFactory = _ => "key-compromise" };
        reason.AcceptOnlyFromAmong(Reasons);
        var days = new Option<int>("--days") { Description = $"days until nextUpdate (default {CrlDays})", DefaultValueFactory = _ => CrlDays, HelpName = "N" };
        var der = new Option<bool>("--der") { Description = "write DER instead of PEM" };
        var output = new Option<string>("--out") { Description = "CRL file to write, e.g. DIR/x509crl/ca.crl.pem", HelpName = "FILE", Required = true };
        var cmd = new Command("crl", "sign a CRL revoking certificates (for x509crl/)") { caCert, caKey, caPassword, revoke, serial, reason, days, der, output };
        cmd.SetAction(r => Guard(() =>
        {
            var (ca, key) = LoadCa(r.GetValue(caCert)!, r.GetValue(caKey)!, r.GetValue(caPassword));
            var now = DateTime.UtcNow;
            now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            int code = Array.IndexOf(Reasons, r.GetValue(reason));
            var entries = new List<(Org.BouncyCastle.Math.BigInteger, DateTime, int)>();
            foreach (string file in r.GetValue(revoke) ?? [])
            {
                var cert = CertificateLoader.LoadCertificate(file);
                if (!cert.IssuerDN.Equivalent(ca.SubjectDN))
                    throw new CliException($"{file}: \"{PkiPrinter.Dn(cert.SubjectDN)}\" was issued by \"{PkiPrinter.Dn(cert.IssuerDN)}\", not by this CA \"{PkiPrinter.Dn(ca.SubjectDN)}\"", PetrelCli.UsageError);
                entries.Add((cert.SerialNumber, now, code));
            }
            foreach (string hex in r.GetValue(serial) ?? [])
            {
                try
                {
                    entries.Add((new Org.BouncyCastle.Math.BigInteger(1, Convert.FromHexString(hex.Replace(":", "", StringComparison.Ordinal))), now, code));
                }
                catch (FormatException)
                {
                    throw new CliException($"--serial '{hex}' is not hexadecimal", PetrelCli.UsageError);
                }
            }
            int d = r.GetValue(days);
            if (d <= 0 || d > 3650)
                throw new CliException($"--days {d} is not between 1 and 3650", PetrelCli.UsageError);
            // A CRL number that grows with time, so a newer CRL always supersedes an older one (RFC 5280 §5.2.3).
            var crl = CertificateBuilder.Crl(ca, key, entries, now, now.AddDays(d), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            string path = r.GetValue(output)!;
            try
            {
                if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
                if (r.GetValue(der)) File.WriteAllBytes(path, crl.GetEncoded());
                else File.WriteAllText(path, CertificateBuilder.CrlPem(crl));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write {path}: {e.Message}", PetrelCli.UsageError);
            }
            stdout.WriteLine($"CRL of \"{PkiPrinter.Dn(ca.SubjectDN)}\" revoking {entries.Count} certificate(s), next update {Time(now.AddDays(d))}: {path}");
            return 0;
        }));
        return cmd;
    }

    // ---- list ----

    private static Command ListCommand(TextWriter stdout)
    {
        var path = new Argument<string>("PATH") { Description = "a certificate, CRL or key file, or a directory in the swanctl layout" };
        var password = new Option<string?>("--password") { Description = "passphrase to open encrypted private keys", HelpName = "P" };
        var cmd = new Command("list", "show certificates (subject, issuer, serial, validity, altNames, key, usages), CRLs and keys") { path, password };
        cmd.SetAction(r => Guard(() => PkiListing.Run(r.GetValue(path)!, r.GetValue(password), stdout)));
        return cmd;
    }

    // ---- verify ----

    private static Command VerifyCommand(TextWriter stdout)
    {
        var cert = new Option<string>("--cert") { Description = "the certificate to check (a PEM file may carry its intermediates after it)", HelpName = "FILE", Required = true };
        var ca = new Option<string[]>("--ca")
        {
            Description = "trusted CA certificate (repeatable); intermediate CA certificates may be given here too",
            HelpName = "FILE",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var crl = new Option<string[]>("--crl") { Description = "CRL to check revocation against (repeatable)", HelpName = "FILE", AllowMultipleArgumentsPerToken = true };
        var id = new Option<string?>("--id") { Description = "an identity (DN with * wildcards, FQDN, e-mail, IP) the certificate must carry, as remote.id would", HelpName = "ID" };
        var cmd = new Command("verify", "check a certificate's chain to a CA, validity, CRLs and optionally an identity (exit 0 valid, 1 not)") { cert, ca, crl, id };
        cmd.SetAction(r => Guard(() =>
        {
            var chainFile = CertificateLoader.LoadCertificates(r.GetValue(cert)!);
            var leaf = chainFile[0];
            var anchors = new List<X509Certificate>();
            var intermediates = new List<X509Certificate>(chainFile.Skip(1));
            foreach (string file in r.GetValue(ca) ?? [])
                foreach (var c in CertificateLoader.LoadCertificates(file))
                    (IsSelfSigned(c) ? anchors : intermediates).Add(c);
            if (anchors.Count == 0)
            {
                // Only intermediates given: trust them directly, as a remote.cacerts entry would.
                anchors.AddRange(intermediates.Except(chainFile));
            }
            var crls = (r.GetValue(crl) ?? []).Select(CertificateLoader.LoadCrl).ToList();
            var result = new ChainValidator(anchors, intermediates, crls).Validate(leaf, DateTime.UtcNow);
            if (!result.Ok)
                throw new CliException(result.Reason, 1);
            if (r.GetValue(id) is { } idText)
            {
                if (!Identity.TryParse(idText, out var pattern, out string error))
                    throw new CliException(error, PetrelCli.UsageError);
                if (!CertificateIdentity.Matches(pattern!, leaf))
                    throw new CliException(CertificateIdentity.MismatchReason(pattern!, leaf), 1);
            }
            stdout.WriteLine($"certificate \"{PkiPrinter.Dn(leaf.SubjectDN)}\" is valid until {Time(leaf.NotAfter)}: "
                + string.Join(" <- ", result.Chain.Select(c => $"\"{PkiPrinter.Dn(c.SubjectDN)}\"")) + " (trusted)"
                + (crls.Count > 0 ? $", not revoked by {crls.Count} CRL(s)" : ""));
            return 0;
        }));
        return cmd;
    }

    private static bool IsSelfSigned(X509Certificate c)
    {
        if (!c.SubjectDN.Equivalent(c.IssuerDN)) return false;
        try
        {
            return c.IsSignatureValid(c.GetPublicKey());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
