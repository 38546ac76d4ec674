using Org.BouncyCastle.X509;

namespace Petrel.Ike.Certificates;

/// <summary>
/// The certificates, keys and CRLs of a configuration directory laid out as swanctl's: <c>x509/</c>
/// (own and peer certificates), <c>x509ca/</c> (CA certificates; self-signed ones are trust anchors, others
/// intermediates), <c>private/</c> (private keys, encrypted ones opened with one of the given passphrases) and
/// <c>x509crl/</c>. A file that cannot be used does not stop the rest: it becomes a one-line entry in
/// <see cref="Errors"/>, as strongSwan logs and skips it.
/// </summary>
public sealed class CertificateStore
{
    private readonly List<X509Certificate> _certificates = [];
    private readonly List<X509Certificate> _trustAnchors = [];
    private readonly List<X509Certificate> _intermediates = [];
    private readonly List<PrivateKey> _keys = [];
    private readonly List<X509Crl> _crls = [];
    private readonly List<string> _errors = [];
    private readonly Dictionary<string, List<X509Certificate>> _byFile = new(StringComparer.Ordinal);

    public IReadOnlyList<X509Certificate> Certificates => _certificates;
    public IReadOnlyList<X509Certificate> TrustAnchors => _trustAnchors;
    public IReadOnlyList<X509Certificate> Intermediates => _intermediates;
    public IReadOnlyList<PrivateKey> Keys => _keys;
    public IReadOnlyList<X509Crl> Crls => _crls;
    public IReadOnlyList<string> Errors => _errors;

    private static readonly string[] KeyFolders = ["private", "rsa", "ecdsa", "pkcs8"];

    public static CertificateStore Load(string configDirectory, IEnumerable<string>? passphrases = null)
    {
        var store = new CertificateStore();
        string[] secrets = [.. passphrases ?? []];
        foreach (string file in Files(configDirectory, "x509ca"))
            store.Try(() => { foreach (var c in CertificateLoader.LoadCertificates(file)) store.AddCa(c, file); });
        foreach (string file in Files(configDirectory, "x509"))
            store.Try(() =>
            {
                foreach (var c in CertificateLoader.LoadCertificates(file))
                    store.AddCertificate(c, file);
            });
        // swanctl.conf(5): private/ holds any key; rsa/ and ecdsa/ (PKCS#1, SEC1) and pkcs8/ are the older typed folders.
        foreach (string folder in KeyFolders)
            foreach (string file in Files(configDirectory, folder))
                store.Try(() => store._keys.Add(LoadKey(file, secrets)));
        foreach (string file in Files(configDirectory, "x509crl"))
            store.Try(() => store._crls.Add(CertificateLoader.LoadCrl(file)));
        return store;
    }

    /// <summary>Adds a CA certificate, e.g. one named by an <c>authorities</c> section or <c>remote.cacerts</c>.</summary>
    public void AddCa(X509Certificate ca, string? file = null)
    {
        bool selfSigned = ca.SubjectDN.Equivalent(ca.IssuerDN) && SelfVerifies(ca);
        var list = selfSigned ? _trustAnchors : _intermediates;
        if (!list.Contains(ca)) list.Add(ca);
        Remember(file, ca);
    }

    /// <summary>Adds an own or peer certificate (x509/, <c>local.certs</c>, <c>remote.certs</c>); a CA certificate among them also serves as intermediate.</summary>
    public void AddCertificate(X509Certificate cert, string? file = null)
    {
        if (!_certificates.Contains(cert)) _certificates.Add(cert);
        if (cert.GetBasicConstraints() >= 0 && !_intermediates.Contains(cert)) _intermediates.Add(cert);
        Remember(file, cert);
    }

    public void AddKey(PrivateKey key) => _keys.Add(key);

    /// <summary>Records a credential problem found outside <see cref="Load"/> (e.g. an authorities section's cacert).</summary>
    public void AddError(string message) => _errors.Add(message);

    /// <summary>
    /// The certificates loaded from a file (as the config names it in <c>certs</c> / <c>cacerts</c>: an absolute path, or
    /// a name that matches the end of a loaded file's path). Files outside the store's folders are read on first use;
    /// null (with the one-line reason) when the file cannot be read.
    /// </summary>
    public IReadOnlyList<X509Certificate>? FromFile(string file, out string error, bool asCa = false)
    {
        error = "";
        if (_byFile.TryGetValue(file, out var known)) return known;
        foreach (var (path, certs) in _byFile)
            if (path.EndsWith("/" + file, StringComparison.Ordinal) || Path.GetFileName(path) == file) return certs;
        if (!File.Exists(file))
        {
            error = $"certificate file '{file}' does not exist";
            return null;
        }
        try
        {
            foreach (var c in CertificateLoader.LoadCertificates(file))
            {
                if (asCa) AddCa(c, file);
                else AddCertificate(c, file);
            }
        }
        catch (CertificateException e)
        {
            error = e.Message;
            return null;
        }
        return _byFile.TryGetValue(file, out var loaded) ? loaded : [];
    }

    private void Remember(string? file, X509Certificate cert)
    {
        if (file is null) return;
        if (!_byFile.TryGetValue(file, out var list)) _byFile[file] = list = [];
        if (!list.Contains(cert)) list.Add(cert);
    }

    public void AddCrl(X509Crl crl) => _crls.Add(crl);

    private readonly List<(X509Certificate Ca, string Uri)> _crlUris = [];

    /// <summary>Distribution points of a CA's CRLs from the configuration (<c>authorities.NAME.crl_uris</c>, http/https/ldap).</summary>
    public void AddCrlUri(X509Certificate ca, string uri)
    {
        if (!_crlUris.Contains((ca, uri))) _crlUris.Add((ca, uri));
    }

    /// <summary>The configured CRL URIs of an issuing CA (none when it has no authorities section with crl_uris).</summary>
    public IReadOnlyList<string> CrlUrisOf(X509Certificate issuer) =>
        [.. _crlUris.Where(e => e.Ca.Equals(issuer)).Select(e => e.Uri)];

    /// <summary>The private key whose public half is the certificate's, if the store holds it.</summary>
    public PrivateKey? FindKeyFor(X509Certificate cert)
    {
        var pub = cert.GetPublicKey();
        foreach (var key in _keys)
            if (key.PublicKey.Equals(pub)) return key;
        return null;
    }

    /// <summary>A validator trusting the store's anchors (or only the given CAs, for remote.cacerts) with its intermediates and CRLs.</summary>
    public ChainValidator CreateValidator(IEnumerable<X509Certificate>? onlyTheseCas = null) =>
        new(onlyTheseCas ?? _trustAnchors, _intermediates, _crls);

    private static PrivateKey LoadKey(string file, string[] passphrases)
    {
        if (passphrases.Length == 0)
            return CertificateLoader.LoadPrivateKey(file);
        CertificateException? last = null;
        foreach (string p in passphrases)
        {
            try
            {
                return CertificateLoader.LoadPrivateKey(file, p);
            }
            catch (CertificateException e)
            {
                last = e;
            }
        }
        throw last!;
    }

    private static bool SelfVerifies(X509Certificate cert)
    {
        try
        {
            return cert.IsSignatureValid(cert.GetPublicKey());
        }
        catch (Exception)
        {
            return false;
        }
    }

    private void Try(Action load)
    {
        try
        {
            load();
        }
        catch (CertificateException e)
        {
            _errors.Add(e.Message);
        }
    }

    private static IEnumerable<string> Files(string directory, string sub)
    {
        string path = Path.Combine(directory, sub);
        return Directory.Exists(path) ? Directory.GetFiles(path).Order(StringComparer.Ordinal) : [];
    }
}
