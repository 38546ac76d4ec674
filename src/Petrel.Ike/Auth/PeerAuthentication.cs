using Org.BouncyCastle.X509;

namespace Petrel.Ike.Auth;

/// <summary>The outcome of checking a peer's certificate and AUTH signature: its certificate, or one line saying which certificate failed and why.</summary>
internal readonly record struct PeerAuthentication(bool Ok, X509Certificate? Certificate, string Reason)
{
    public static PeerAuthentication Success(X509Certificate certificate) => new(true, certificate, "");
    public static PeerAuthentication Fail(string reason, X509Certificate? certificate = null) => new(false, certificate, reason);

    /// <summary>A CRL the check needs is being fetched: process the message again when the fetch completes.</summary>
    public bool Deferred { get; init; }

    public static PeerAuthentication Defer(X509Certificate certificate) => new(false, certificate, "waiting for a CRL fetch") { Deferred = true };
}
