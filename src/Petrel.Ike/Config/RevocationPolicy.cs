namespace Petrel.Ike.Config;

/// <summary>swanctl.conf(5) remote.revocation: how much certainty about revocation a peer's chain needs.</summary>
public enum RevocationPolicy
{
    /// <summary>Fail only when a CRL revokes a certificate (strongSwan's default).</summary>
    Relaxed,
    /// <summary>Also fail when a certificate names a CRL URI but no current CRL could be obtained.</summary>
    IfUri,
    /// <summary>Fail unless every certificate is known good: a current CRL of its issuer that does not list it.</summary>
    Strict,
}
