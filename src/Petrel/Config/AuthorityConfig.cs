namespace Petrel.Config;

/// <summary>
/// One authorities.NAME section (swanctl.conf(5)): the CA certificate (<c>Settings["cacert"]</c>, resolved against
/// x509ca/) and the other keys as written; <see cref="CrlUris"/> holds the CRL locations, local files as full paths.
/// </summary>
public sealed record AuthorityConfig(string Name, IReadOnlyDictionary<string, string> Settings, string Source)
{
    /// <summary>http(s):// and ldap:// URIs as written; file:// URIs and plain names as full paths (relative to x509crl/).</summary>
    public IReadOnlyList<string> CrlUris { get; init; } = [];
}
