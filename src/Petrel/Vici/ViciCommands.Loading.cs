using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.X509;
using Petrel.Config;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;

namespace Petrel.Vici;

/// <summary>
/// Loading over vici: connections (through the config loader's checks), shared secrets, certificates,
/// private keys and authorities. Each change is applied to the engine at once, together with the config
/// file's, exactly as a reload would; SAs of connections that still exist stay up.
/// </summary>
public sealed partial class ViciCommands
{
    private static readonly string[] SharedTypes = ["ike", "eap", "xauth"];

    /// <summary>Runs one change of the store and applies it, one at a time.</summary>
    private async Task<ViciWriter> ChangeAsync(Func<ViciWriter?> change)
    {
        await _loading.WaitAsync().ConfigureAwait(false);
        try
        {
            var refusal = change();
            if (refusal is not null)
                return refusal;
            string? error = await _apply().ConfigureAwait(false);
            return error is null ? Success() : Failure(error);
        }
        finally
        {
            _loading.Release();
        }
    }

    private Task<ViciWriter> LoadConnAsync(ViciRequest request)
    {
        var sections = request.Message.Items.Where(i => i.Kind == ViciItemKind.Section).ToList();
        if (sections.Count != 1 || request.Message.Items.Count != 1)
            return Task.FromResult(Failure("load-conn takes one section: the connection"));
        var section = sections[0];
        ConnectionConfig connection;
        Dictionary<string, (IReadOnlyList<X509Certificate> Certs, bool Ca)> inline;
        try
        {
            connection = ViciConnectionMapper.Map(section.Name, section.Section!, _configDirectory, out inline, [.. AppliedPools().Select(p => p.Name)]);
        }
        catch (ConfigException e)
        {
            _log.LogWarning("vici: load-conn '{Name}' refused: {Error}", section.Name, e.Message);
            return Task.FromResult(Failure(e.Message));
        }
        foreach (var ch in connection.Children)
        {
            foreach (uint id in new[] { ch.InterfaceIdIn, ch.InterfaceIdOut })
            {
                if (id != 0 && _interfaces.NameOf(id) is null)
                    return Task.FromResult(Failure($"{ViciConnectionMapper.Source}: child '{ch.Name}' of '{connection.Name}' uses if_id {id}, which has no interface: route-based interfaces are opened when the daemon starts (running: {_interfaces})"));
            }
        }
        return ChangeAsync(() =>
        {
            if (!_store.SetConnection(connection, inline))
                return Failure($"{_store.MaxEntries} connections are loaded over vici already");
            _log.LogInformation("vici: loaded connection '{Name}'", connection.Name);
            return null;
        });
    }

    private Task<ViciWriter> UnloadConnAsync(ViciRequest request)
    {
        string? name = request.Message.Text("name");
        if (name is null)
            return Task.FromResult(Failure("missing connection name to unload"));
        return ChangeAsync(() =>
        {
            if (!_store.RemoveConnection(name))
                return Failure($"connection '{name}' was not loaded over vici");
            _log.LogInformation("vici: unloaded connection '{Name}'", name);
            return null;
        });
    }

    /// <summary>load-shared: an IKE (or EAP, XAuth) secret with its owners, as a secrets.TYPE-ID section of the file would give it.</summary>
    private Task<ViciWriter> LoadSharedAsync(ViciRequest request)
    {
        var m = request.Message;
        string type = (m.Text("type") ?? "").ToLowerInvariant();
        byte[]? data = m.Bytes("data");
        if (Array.IndexOf(SharedTypes, type) < 0)
            return Task.FromResult(Failure($"shared secrets of type '{m.Text("type")}' are not supported by Petrel (IKE, EAP and XAUTH are)"));
        if (data is null)
            return Task.FromResult(Failure("shared key data missing"));
        var owners = m.List("owners") ?? [];
        foreach (var owner in owners)
        {
            if (!Petrel.Ike.Wire.Identity.TryParse(owner, out _, out string error))
                return Task.FromResult(Failure($"owner '{owner}' is not an identity: {error}"));
        }
        string id = m.Text("id") ?? $"{type}-{Convert.ToHexStringLower(SHA256.HashData(data))[..16]}";
        var secret = new SharedSecret { Ids = owners, Secret = data, Kind = type };
        return ChangeAsync(() => _store.SetSecret(id, secret) ? null : Failure($"{_store.MaxEntries} shared secrets are loaded over vici already"));
    }

    private Task<ViciWriter> UnloadSharedAsync(ViciRequest request)
    {
        string? id = request.Message.Text("id");
        if (id is null)
            return Task.FromResult(Failure("unique identifier missing"));
        return ChangeAsync(() => _store.RemoveSecret(id) ? null : Failure($"shared secret '{id}' was not loaded over vici"));
    }

    /// <summary>load-cert: an X.509 certificate (flag CA for a CA) or a CRL, PEM or DER.</summary>
    private Task<ViciWriter> LoadCertAsync(ViciRequest request)
    {
        var m = request.Message;
        string type = (m.Text("type") ?? "X509").ToUpperInvariant(), flag = (m.Text("flag") ?? "NONE").ToUpperInvariant();
        byte[]? data = m.Bytes("data");
        if (data is null)
            return Task.FromResult(Failure("certificate data missing"));
        string id = Convert.ToHexStringLower(SHA256.HashData(data));
        try
        {
            switch (type)
            {
                case "X509" when flag is "NONE" or "CA":
                    var certs = CertificateLoader.ParseCertificates(data, "vici load-cert");
                    return ChangeAsync(() =>
                    {
                        for (int i = 0; i < certs.Count; i++)
                            if (!_store.SetCertificate($"{id}/{i}", certs[i], flag == "CA"))
                                return Failure($"{_store.MaxEntries} certificates are loaded over vici already");
                        return null;
                    });
                case "X509":
                    return Task.FromResult(Failure($"X.509 certificates with flag {flag} are not supported by Petrel (NONE and CA are; OCSP is not built)"));
                case "X509_CRL":
                    var crl = CertificateLoader.ParseCrl(data, "vici load-cert");
                    return ChangeAsync(() => _store.SetCrl(id, crl) ? null : Failure($"{_store.MaxEntries} CRLs are loaded over vici already"));
                default:
                    return Task.FromResult(Failure($"certificates of type {type} are not supported by Petrel (X509 and X509_CRL are)"));
            }
        }
        catch (CertificateException e)
        {
            return Task.FromResult(Failure(e.Message));
        }
    }

    /// <summary>load-key: a private key (PEM or DER); the reply's id is the SHA-1 of its public key, which unload-key takes.</summary>
    private Task<ViciWriter> LoadKeyAsync(ViciRequest request)
    {
        byte[]? data = request.Message.Bytes("data");
        if (data is null)
            return Task.FromResult(Failure("key data missing"));
        PrivateKey key;
        try
        {
            key = CertificateLoader.ParsePrivateKey(data, "vici load-key");
        }
        catch (CertificateException e)
        {
            return Task.FromResult(Failure(e.Message));
        }
        var info = Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key.PublicKey);
        string id = Convert.ToHexStringLower(SHA1.HashData(info.PublicKey.GetBytes()));
        return ChangeAsync(() => _store.SetKey(id, key) ? null : Failure($"{_store.MaxEntries} keys are loaded over vici already"))
            .ContinueWith(t => t.Result.Add("id", id), TaskContinuationOptions.ExecuteSynchronously);
    }

    private Task<ViciWriter> UnloadKeyAsync(ViciRequest request)
    {
        string? id = request.Message.Text("id");
        if (id is null)
            return Task.FromResult(Failure("key id missing"));
        return ChangeAsync(() => _store.RemoveKey(id) ? null : Failure($"private key '{id}' was not loaded over vici"));
    }

    private Task<ViciWriter> ClearCredsAsync(ViciRequest request) => ChangeAsync(() =>
    {
        _store.ClearCredentials();
        return null;
    });

    /// <summary>
    /// load-authority: the CA certificate (swanctl sends the file's content as cacert) and crl_uris (http, https,
    /// ldap fetched when needed; file:// and paths read now). The keys the file loader refuses are refused.
    /// </summary>
    private Task<ViciWriter> LoadAuthorityAsync(ViciRequest request)
    {
        var items = request.Message.Items;
        if (items.Count != 1 || items[0].Kind != ViciItemKind.Section)
            return Task.FromResult(Failure("load-authority takes one section: the authority"));
        string name = items[0].Name;
        var s = items[0].Section!;
        var cas = new List<X509Certificate>();
        var uris = new List<string>();
        var crls = new List<X509Crl>();
        try
        {
            foreach (var item in s.Items)
            {
                switch (item.Name)
                {
                    case "cacert" or "file" when item.Kind == ViciItemKind.KeyValue:
                        cas.AddRange(CertificateLoader.ParseCertificates(item.Value!, $"authorities.{name}.cacert"));
                        break;
                    case "crl_uris":
                        foreach (var uri in s.List("crl_uris") ?? [s.Text("crl_uris") ?? ""])
                        {
                            if (Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" or "ldap")
                                uris.Add(uri);
                            else if (u?.Scheme == "file" || Path.IsPathRooted(uri))
                                crls.Add(CertificateLoader.LoadCrl(u?.Scheme == "file" ? u.LocalPath : uri));
                            else
                                return Task.FromResult(Failure($"authorities.{name}.crl_uris: '{uri}' is not a CRL URI (http://, https://, ldap://, file://) or absolute file"));
                        }
                        break;
                    case "ocsp_uris":
                        return Task.FromResult(Failure($"authorities.{name}.ocsp_uris: OCSP is not built yet: remove ocsp_uris (crl_uris works)"));
                    case "cert_uri_base":
                        return Task.FromResult(Failure($"authorities.{name}.cert_uri_base: hash-and-URL certificate lookup is not built yet: remove cert_uri_base"));
                    case "handle" or "slot" or "module":
                        return Task.FromResult(Failure($"authorities.{name}.{item.Name}: CA certificates on tokens are not supported by Petrel yet"));
                    default:
                        return Task.FromResult(Failure($"unknown key '{item.Name}' in authorities.{name}{KeySuggestion.Hint(item.Name, ["cacert", "file", "crl_uris"])}"));
                }
            }
        }
        catch (CertificateException e)
        {
            return Task.FromResult(Failure(e.Message));
        }
        if (cas.Count == 0)
            return Task.FromResult(Failure($"authorities.{name}: 'cacert' (the CA certificate) is missing"));
        return ChangeAsync(() => _store.SetAuthority(new ViciAuthority(name, cas, uris, crls)) ? null : Failure($"{_store.MaxEntries} authorities are loaded over vici already"));
    }

    private Task<ViciWriter> UnloadAuthorityAsync(ViciRequest request)
    {
        string? name = request.Message.Text("name");
        if (name is null)
            return Task.FromResult(Failure("missing authority name to unload"));
        return ChangeAsync(() => _store.RemoveAuthority(name) ? null : Failure($"authority '{name}' was not loaded over vici"));
    }
}
