using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Pools;

namespace Petrel.Vici;

/// <summary>
/// What clients loaded over vici: connections, shared secrets, certificates, private keys, CRLs,
/// authorities and pools, kept beside the config file's (charon keeps vici's in a backend of their own, so
/// get-conns, get-shared and get-keys list only these). A connection loaded over vici replaces one of
/// the same name from the file. Bounded: at most <see cref="MaxEntries"/> of each kind, so a client
/// looping over load-conn cannot exhaust the daemon's memory. Thread-safe.
/// </summary>
public sealed class ViciStore(int maxEntries = ViciStore.DefaultMaxEntries)
{
    public const int DefaultMaxEntries = 10_000;

    public int MaxEntries => maxEntries;

    private readonly Lock _lock = new();
    private readonly List<ConnectionConfig> _connections = [];
    private readonly Dictionary<string, SharedSecret> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (X509Certificate Cert, bool Ca)> _certs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PrivateKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, X509Crl> _crls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ViciAuthority> _authorities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressPoolConfig> _pools = new(StringComparer.Ordinal);
    /// <summary>Certificates a load-conn sent inline (certs, cacerts), under the names its connection refers to them by.</summary>
    private readonly Dictionary<string, (IReadOnlyList<X509Certificate> Certs, bool Ca)> _inline = new(StringComparer.Ordinal);

    public IReadOnlyList<string> ConnectionNames
    {
        get { lock (_lock) return [.. _connections.Select(c => c.Name)]; }
    }

    public IReadOnlyList<string> SecretIds
    {
        get { lock (_lock) return [.. _secrets.Keys]; }
    }

    public IReadOnlyList<string> KeyIds
    {
        get { lock (_lock) return [.. _keys.Keys]; }
    }

    public IReadOnlyList<string> AuthorityNames
    {
        get { lock (_lock) return [.. _authorities.Keys]; }
    }

    public IReadOnlyList<string> PoolNames
    {
        get { lock (_lock) return [.. _pools.Keys]; }
    }

    public IReadOnlyList<ViciAuthority> Authorities
    {
        get { lock (_lock) return [.. _authorities.Values]; }
    }

    /// <summary>Adds or replaces a connection; false when the store is full.</summary>
    /// <param name="inline">Certificates sent inside the load-conn, by the names the connection uses.</param>
    public bool SetConnection(ConnectionConfig connection, IReadOnlyDictionary<string, (IReadOnlyList<X509Certificate> Certs, bool Ca)> inline)
    {
        lock (_lock)
        {
            int i = _connections.FindIndex(c => c.Name == connection.Name);
            if (i < 0 && _connections.Count >= MaxEntries) return false;
            if (i >= 0)
            {
                DropInline(connection.Name);
                _connections[i] = connection;
            }
            else
            {
                _connections.Add(connection);
            }
            foreach (var (name, certs) in inline) _inline[name] = certs;
            return true;
        }
    }

    public bool RemoveConnection(string name)
    {
        lock (_lock)
        {
            DropInline(name);
            return _connections.RemoveAll(c => c.Name == name) > 0;
        }
    }

    private void DropInline(string connection)
    {
        string prefix = ViciConnectionMapper.InlinePrefix(connection);
        foreach (var key in _inline.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            _inline.Remove(key);
    }

    public bool SetSecret(string id, SharedSecret secret) => Set(_secrets, id, secret);
    public bool RemoveSecret(string id) => Remove(_secrets, id);
    public bool SetCertificate(string id, X509Certificate cert, bool ca) => Set(_certs, id, (cert, ca));
    public bool SetKey(string id, PrivateKey key) => Set(_keys, id, key);
    public bool RemoveKey(string id) => Remove(_keys, id);
    public bool SetCrl(string id, X509Crl crl) => Set(_crls, id, crl);
    public bool SetAuthority(ViciAuthority authority) => Set(_authorities, authority.Name, authority);
    public bool RemoveAuthority(string name) => Remove(_authorities, name);
    public bool SetPool(AddressPoolConfig pool) => Set(_pools, pool.Name, pool);
    public bool RemovePool(string name) => Remove(_pools, name);

    /// <summary>clear-creds: every certificate, key, CRL and secret loaded over vici (connections and authorities stay).</summary>
    public void ClearCredentials()
    {
        lock (_lock)
        {
            _secrets.Clear();
            _certs.Clear();
            _keys.Clear();
            _crls.Clear();
        }
    }

    private bool Set<T>(Dictionary<string, T> map, string key, T value)
    {
        lock (_lock)
        {
            if (!map.ContainsKey(key) && map.Count >= MaxEntries) return false;
            map[key] = value;
            return true;
        }
    }

    private bool Remove<T>(Dictionary<string, T> map, string key)
    {
        lock (_lock) return map.Remove(key);
    }

    /// <summary>The file's connections with vici's added (a vici connection replaces the file's of the same name).</summary>
    public IReadOnlyList<ConnectionConfig> MergeConnections(IReadOnlyList<ConnectionConfig> file)
    {
        lock (_lock)
        {
            var result = new List<ConnectionConfig>(file.Count + _connections.Count);
            foreach (var c in file)
                if (!_connections.Exists(v => v.Name == c.Name)) result.Add(c);
            result.AddRange(_connections);
            return result;
        }
    }

    /// <summary>The file's pools with vici's (a vici pool replaces the file's of the same name).</summary>
    public IReadOnlyList<AddressPoolConfig> MergePools(IReadOnlyList<AddressPoolConfig> file)
    {
        lock (_lock) return [.. file.Where(p => !_pools.ContainsKey(p.Name)), .. _pools.Values];
    }

    public IReadOnlyList<SharedSecret> MergeSecrets(IReadOnlyList<SharedSecret> file)
    {
        lock (_lock) return [.. file, .. _secrets.Values];
    }

    /// <summary>Adds vici's certificates, keys, CRLs and authorities to a store built from the config directory.</summary>
    public void AddTo(CertificateStore store)
    {
        lock (_lock)
        {
            foreach (var (cert, ca) in _certs.Values)
            {
                if (ca) store.AddCa(cert);
                else store.AddCertificate(cert);
            }
            foreach (var key in _keys.Values) store.AddKey(key);
            foreach (var crl in _crls.Values)
                if (!store.Crls.Contains(crl)) store.AddCrl(crl);
            foreach (var (name, (certs, ca)) in _inline)
                foreach (var cert in certs)
                {
                    if (ca) store.AddCa(cert, name);
                    else store.AddCertificate(cert, name);
                }
            foreach (var authority in _authorities.Values)
            {
                foreach (var ca in authority.CaCerts)
                {
                    store.AddCa(ca);
                    foreach (var uri in authority.CrlUris) store.AddCrlUri(ca, uri);
                }
                foreach (var crl in authority.Crls)
                    if (!store.Crls.Contains(crl)) store.AddCrl(crl);
            }
        }
    }
}

/// <summary>An authorities.NAME section loaded over vici: its CA certificate(s), CRL distribution points and CRL files.</summary>
public sealed record ViciAuthority(string Name, IReadOnlyList<X509Certificate> CaCerts, IReadOnlyList<string> CrlUris, IReadOnlyList<X509Crl> Crls);
