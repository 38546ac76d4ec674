using System.Net;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>Certificates for <c>auth = pubkey</c>: the credential store the daemon loaded, and identities derived from it.</summary>
public sealed partial class IkeEngine
{
    private CertificateStore? _credentials;
    private PubkeyAuthenticator? _pubkey;

    /// <summary>
    /// Loads (or reloads) connections, secrets and the certificates, keys and CRLs of the config directory
    /// (<see cref="CertificateStore.Load"/>). Every pubkey connection whose own certificate or key cannot be found
    /// is logged once here; it fails again, with the same reason, when it is used.
    /// </summary>
    public void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets, CertificateStore? credentials)
    {
        _credentials = credentials;
        Load(connections, secrets);
        if (credentials is null) return;
        foreach (var error in credentials.Errors)
            Log.Warn(null, error);
        foreach (var c in connections)
        {
            if (!PubkeyAuthenticator.IsPubkey(c.Local.Auth)) continue;
            if (Pubkey.FindLocal(c, out string error) is { } own)
                Log.Info(null, $"connection '{c.Name}' authenticates with certificate '{PubkeyAuthenticator.Name(own.Certificate)}' ({own.Key}, {own.Intermediates.Count} intermediate CA(s) sent)");
            else
                Log.Warn(null, error);
        }
    }

    /// <summary>The certificates, keys and CRLs given to <see cref="Load(IReadOnlyList{ConnectionConfig}, IReadOnlyList{SharedSecret}, CertificateStore?)"/>; null when none.</summary>
    public CertificateStore? Credentials => _credentials;

    internal PubkeyAuthenticator Pubkey => _pubkey ??= new PubkeyAuthenticator(this);

    /// <summary>
    /// Our identity when local.id is unset: with auth = pubkey the subject DN of our certificate (ID_DER_ASN1_DN,
    /// as strongSwan), otherwise our IP address.
    /// </summary>
    private Identity DefaultLocalIdentity(ConnectionConfig c, IPAddress address, IReadOnlyList<byte[]>? requestedCas)
    {
        if (PubkeyAuthenticator.IsPubkey(c.Local.Auth) && Pubkey.FindLocal(c, out _, requestedCas) is { } own)
            return CertificateIdentity.Subject(own.Certificate);
        return Identity.FromAddress(address);
    }
}
