using System.Globalization;
using Petrel.Cli;

namespace Petrel.Tests.Harness;

/// <summary>Which tool makes a <see cref="LabPki"/>'s keys, certificates and CRLs.</summary>
public enum LabPkiTool
{
    /// <summary><c>petrel pki</c> (run in-process).</summary>
    Petrel,

    /// <summary>strongSwan's <c>pki</c> (Debian strongswan-pki).</summary>
    StrongSwan,
}

/// <summary>
/// A test PKI in the swanctl layout (x509ca/, x509/, x509crl/, private/ under <see cref="Dir"/>), made by
/// <c>petrel pki</c> or strongSwan's <c>pki</c>, and per-peer credential folders cut from it
/// (<see cref="Site"/>) for <see cref="PetrelPeer.Start"/> and <see cref="StrongSwanPeer.Start"/>.
/// </summary>
public sealed class LabPki(string dir, LabPkiTool tool, string keyType)
{
    private static readonly string[] Folders = ["x509ca", "x509", "x509crl", "private"];

    public string Dir { get; } = dir;
    public LabPkiTool Tool { get; } = tool;

    /// <summary>"rsa" (2048 bits) or "ecdsa" (P-256), unless a certificate asks for another.</summary>
    public string KeyType { get; } = keyType;

    /// <summary>RSA key size (2048 unless set, e.g. 4096 for certificates that make IKE messages exceed a fragment).</summary>
    public int RsaBits { get; init; } = 2048;

    private int Bits(string keyType) => keyType == "rsa" ? RsaBits : 256;

    private string F(string relative) => Path.Combine(Dir, relative);

    /// <summary>A self-signed CA: x509ca/NAME.pem and private/NAME.pem.</summary>
    public void Ca(string name, string dn, string? keyType = null)
    {
        string type = keyType ?? KeyType;
        if (Tool == LabPkiTool.Petrel)
        {
            Petrel("pki", "ca", "--dn", dn, "--type", type, "--size", Bits(type).ToString(CultureInfo.InvariantCulture), "--name", name, "--out-dir", Dir);
            return;
        }
        Shell($"pki --gen --type {type} --size {Bits(type)} --outform pem > {Q(F($"private/{name}.pem"))}"
            + $" && pki --self --ca --lifetime 3650 --in {Q(F($"private/{name}.pem"))} --type {type} --dn {Q(dn)} --outform pem > {Q(F($"x509ca/{name}.pem"))}");
    }

    /// <summary>An end-entity certificate from CA <paramref name="ca"/>: x509/NAME.pem and private/NAME.pem (IKE EKUs).</summary>
    /// <remarks>
    /// A <paramref name="password"/> encrypts the key (PKCS#8, PBES2); only <c>petrel pki</c> writes encrypted keys.
    /// <paramref name="crlUris"/> become the cRLDistributionPoints (petrel pki --crl-uri, pki --issue --crl).
    /// </remarks>
    public void Issue(string ca, string name, string dn, IReadOnlyList<string> sans, DateTime? notBefore = null, DateTime? notAfter = null,
        string? keyType = null, string? password = null, IReadOnlyList<string>? crlUris = null)
    {
        string type = keyType ?? KeyType;
        if (password is not null && Tool != LabPkiTool.Petrel)
            throw new ArgumentException("strongSwan's pki does not write encrypted keys", nameof(password));
        if (Tool == LabPkiTool.Petrel)
        {
            var args = new List<string>
            {
                "pki", "issue", "--ca-cert", F($"x509ca/{ca}.pem"), "--ca-key", F($"private/{ca}.pem"), "--dn", dn,
                "--type", type, "--size", Bits(type).ToString(CultureInfo.InvariantCulture), "--ike-eku", "--name", name, "--out-dir", Dir,
            };
            foreach (var s in sans) args.AddRange(["--san", s]);
            if (notBefore is { } nb) args.AddRange(["--not-before", nb.ToString("s", CultureInfo.InvariantCulture)]);
            if (notAfter is { } na) args.AddRange(["--not-after", na.ToString("s", CultureInfo.InvariantCulture)]);
            if (password is not null) args.AddRange(["--password", password]);
            foreach (var u in crlUris ?? []) args.AddRange(["--crl-uri", u]);
            Petrel([.. args]);
            return;
        }
        string validity = notBefore is { } b && notAfter is { } a
            ? $" --dateform '%Y-%m-%dT%H:%M:%S' --not-before {b.ToString("s", CultureInfo.InvariantCulture)} --not-after {a.ToString("s", CultureInfo.InvariantCulture)}"
            : " --lifetime 1095";
        string sanArgs = string.Concat(sans.Select(s => $" --san {Q(s)}")) + string.Concat((crlUris ?? []).Select(u => $" --crl {Q(u)}"));
        Shell($"pki --gen --type {type} --size {Bits(type)} --outform pem > {Q(F($"private/{name}.pem"))}"
            + $" && pki --pub --in {Q(F($"private/{name}.pem"))} --type {type}"
            + $" | pki --issue --cacert {Q(F($"x509ca/{ca}.pem"))} --cakey {Q(F($"private/{ca}.pem"))} --type pub --dn {Q(dn)}{sanArgs}{validity}"
            + $" --flag serverAuth --flag clientAuth --flag ikeIntermediate --outform pem > {Q(F($"x509/{name}.pem"))}");
    }

    /// <summary>A CRL of CA <paramref name="ca"/> revoking the given certificates: x509crl/CA.crl.pem.</summary>
    public string Revoke(string ca, params string[] names)
    {
        string crl = F($"x509crl/{ca}.crl.pem");
        if (Tool == LabPkiTool.Petrel)
        {
            var args = new List<string> { "pki", "crl", "--ca-cert", F($"x509ca/{ca}.pem"), "--ca-key", F($"private/{ca}.pem"), "--out", crl };
            foreach (var n in names) args.AddRange(["--revoke", F($"x509/{n}.pem")]);
            Petrel([.. args]);
            return crl;
        }
        string certs = string.Concat(names.Select(n => $" --cert {Q(F($"x509/{n}.pem"))}"));
        Shell($"mkdir -p {Q(F("x509crl"))} && pki --signcrl --cacert {Q(F($"x509ca/{ca}.pem"))} --cakey {Q(F($"private/{ca}.pem"))}{certs} --reason key-compromise --outform pem > {Q(crl)}");
        return crl;
    }

    /// <summary>
    /// A peer's credential folder: its own certificates with their keys, the CAs it trusts and the CRLs it holds,
    /// under Dir/sites/NAME (returned).
    /// </summary>
    public string Site(string name, IReadOnlyList<string> certs, IReadOnlyList<string> cas, IReadOnlyList<string>? crls = null)
    {
        string site = Path.Combine(Dir, "sites", name);
        if (Directory.Exists(site)) Directory.Delete(site, recursive: true);
        foreach (var f in Folders) Directory.CreateDirectory(Path.Combine(site, f));
        foreach (var c in certs)
        {
            File.Copy(F($"x509/{c}.pem"), Path.Combine(site, "x509", c + ".pem"));
            File.Copy(F($"private/{c}.pem"), Path.Combine(site, "private", c + ".pem"));
        }
        foreach (var ca in cas)
            File.Copy(F($"x509ca/{ca}.pem"), Path.Combine(site, "x509ca", ca + ".pem"));
        foreach (var crl in crls ?? [])
            File.Copy(F($"x509crl/{crl}.crl.pem"), Path.Combine(site, "x509crl", crl + ".crl.pem"));
        return site;
    }

    /// <summary>
    /// Makes the credential folders of <paramref name="to"/> (the config's directory) hold exactly those of
    /// <paramref name="from"/>: files left from an earlier configuration are removed.
    /// </summary>
    public static void CopyCredentials(string from, string to)
    {
        foreach (var f in Folders)
        {
            string dst = Path.Combine(to, f);
            if (Directory.Exists(dst)) Directory.Delete(dst, recursive: true);
            string src = Path.Combine(from, f);
            if (!Directory.Exists(src)) continue;
            Directory.CreateDirectory(dst);
            foreach (var file in Directory.GetFiles(src))
                File.Copy(file, Path.Combine(dst, Path.GetFileName(file)), overwrite: true);
        }
    }

    private void Petrel(params string[] args)
    {
        Directory.CreateDirectory(Dir);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run(args, stdout, stderr);
        if (code != 0)
            throw new InvalidOperationException($"petrel {string.Join(' ', args)} exited {code}: {stderr}");
    }

    private void Shell(string script)
    {
        foreach (var f in Folders) Directory.CreateDirectory(F(f));
        CommandRunner.Run("/bin/sh", "-c", "set -e; " + script).EnsureSuccess();
    }

    private static string Q(string s) => CommandRunner.ShellQuote(s);
}
