namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>The responder's EAP conversation while IKE_AUTH runs its EAP rounds (RFC 7296 §2.16); null otherwise.</summary>
    public EapAuthState? EapAuth { get; set; }

    /// <summary>The EAP identity the peer (or we, as client) authenticated with, for list-sas; null without EAP.</summary>
    public string? EapIdentity { get; set; }
}
