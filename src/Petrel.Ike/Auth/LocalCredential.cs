using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;

namespace Petrel.Ike.Auth;

/// <summary>
/// What we authenticate with under <c>auth = pubkey</c>: our end-entity certificate, its private key, and the
/// intermediate CA certificates between it and its root, which we send along (as strongSwan does) so a peer
/// that only holds the root can build the chain.
/// </summary>
internal sealed record LocalCredential(X509Certificate Certificate, PrivateKey Key, IReadOnlyList<X509Certificate> Intermediates);
